"""``governance-app completion bash|zsh``: generated from the parser, and bash really completes."""

from __future__ import annotations

import argparse
import shutil
import subprocess
from pathlib import Path

import pytest

from governance_app import cli
from governance_app.cli.completion import bash_script, describe, zsh_script


def _verbs() -> dict[str, argparse.ArgumentParser]:
    parser = cli.build_parser()
    (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(sub.choices)


def _script(shell: str, capsys: pytest.CaptureFixture[str]) -> str:
    assert cli.main(["completion", shell]) == 0
    return capsys.readouterr().out


def test_every_verb_has_help_with_an_example() -> None:
    for name, sub in _verbs().items():
        assert sub.description, name
        assert "example" in (sub.epilog or ""), f"{name}'s help has no example"
        assert "governance-app" in (sub.epilog or ""), name


def test_scripts_name_every_verb(capsys: pytest.CaptureFixture[str]) -> None:
    bash, zsh = _script("bash", capsys), _script("zsh", capsys)
    for name in _verbs():
        assert f"{name})" in bash
        assert f"'{name}:" in zsh
    assert "complete -o filenames -F _governance_app governance-app" in bash
    assert zsh.startswith("#compdef governance-app")


def test_completion_needs_no_workspace(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOVERNANCE_APP_DB", str(tmp_path / "never-created.db"))
    _script("bash", capsys)
    assert not (tmp_path / "never-created.db").exists()


def test_bash_script_parses() -> None:
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("bash is not installed")
    result = subprocess.run([bash, "-n"], input=bash_script(cli.build_parser()), text=True,
                            capture_output=True, check=False)
    assert result.returncode == 0, result.stderr


def test_zsh_script_parses() -> None:
    zsh = shutil.which("zsh")
    if zsh is None:
        pytest.skip("zsh is not installed (Debian package zsh)")
    result = subprocess.run([zsh, "-n"], input=zsh_script(cli.build_parser()), text=True,
                            capture_output=True, check=False)
    assert result.returncode == 0, result.stderr


def _complete(words: list[str], tmp_path: Path) -> list[str]:
    """What bash offers for the last word of ``governance-app <words>``."""
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("bash is not installed")
    script = tmp_path / "completion.bash"
    script.write_text(bash_script(cli.build_parser()))
    quoted = " ".join(f"'{w}'" for w in ["governance-app", *words])
    program = (f"source '{script}'; COMP_WORDS=({quoted}); COMP_CWORD={len(words)}; "
               "_governance_app; printf '%s\\n' \"${COMPREPLY[@]}\"")
    result = subprocess.run([bash, "-c", program], cwd=tmp_path, text=True,
                            capture_output=True, check=True)
    return [line for line in result.stdout.splitlines() if line]


def test_bash_completes_verbs_options_choices_and_files(tmp_path: Path) -> None:
    assert set(_complete(["imp"], tmp_path)) == {"import", "imports"}
    assert "--version" in _complete(["--v"], tmp_path)
    assert _complete(["import", "--ki"], tmp_path) == ["--kind"]
    assert _complete(["completion", ""], tmp_path) == ["bash", "zsh"]
    assert "open" in _complete(["review", "o"], tmp_path)
    (tmp_path / "mlflow.db").write_bytes(b"")
    assert _complete(["import", "mlf"], tmp_path) == ["mlflow.db"]
    assert _complete(["--db", "mlf"], tmp_path) == ["mlflow.db"]
    assert _complete(["--db", "x.db", "mod"], tmp_path) == ["models"]


def test_describe_sees_choices_of_options() -> None:
    _top, verbs = describe(cli.build_parser())
    completion = next(v for v in verbs if v.name == "completion")
    assert completion.positional_choices == ["bash", "zsh"]
