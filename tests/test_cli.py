"""The CLI shell: help, version, and user errors without tracebacks."""

from click.testing import CliRunner

from rcakit.cli import main


def test_help_lists_the_commands():
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0, result.output
    assert result.exception is None
    assert "Root-cause analysis" in result.output
    for command in ("parse", "templates", "detect", "report"):
        assert command in result.output


def test_version():
    import rcakit

    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"rcakit {rcakit.__version__}"


def test_unknown_command_is_a_usage_error():
    result = CliRunner().invoke(main, ["frobnicate"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
