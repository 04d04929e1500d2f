"""The public surface is curated: ``__all__`` lists exactly what resolves."""

import rcakit


def test_all_is_sorted_and_unique():
    assert list(rcakit.__all__) == sorted(set(rcakit.__all__))


def test_every_exported_name_resolves():
    for name in rcakit.__all__:
        assert getattr(rcakit, name) is not None, name


def test_unknown_attribute_raises():
    import pytest

    with pytest.raises(AttributeError):
        rcakit.definitely_not_public  # noqa: B018
