"""One Parquet file written piece by piece: a large run's results, never all in memory."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from types import TracebackType

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from negsim.errors import NegsimError
from negsim.files import atomic_path


def _file_schema(frame: pd.DataFrame) -> pa.Schema:
    """The Arrow schema of a piece, with text (and all-None) columns as large strings."""
    schema = pa.Schema.from_pandas(frame, preserve_index=False)
    fields = [
        field.with_type(pa.large_string())
        if pa.types.is_null(field.type) or pa.types.is_string(field.type)
        else field
        for field in schema
    ]
    return pa.schema(fields, metadata=schema.metadata)


class ResultSink:
    """One Parquet file written piece by piece (`with ResultSink(path) as sink: sink.write(...)`).

    Pieces go to a temporary file beside `path`, renamed into place when the block ends without
    error and removed otherwise, so a reader never sees a partial file. Rows keep the order they
    were written in, each piece one or more row groups. The file's schema is the first piece's,
    with text columns stored as large strings even where that piece has only None (a column
    with no value at all is taken to be text: booleans come as pandas' "boolean" dtype, typed
    even when all missing); every later piece must have the same columns and fit that schema.
    Reading the file back gives the table the pieces make together, as `write_parquet` of their
    concatenation would, except that a text column with no value in any piece comes back as
    missing strings rather than None objects.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.rows = 0
        self._atomic: contextlib.AbstractContextManager[Path] | None = None
        self._tmp: Path | None = None
        self._schema: pa.Schema | None = None
        self._writer: pq.ParquetWriter | None = None

    def __enter__(self) -> ResultSink:
        if self._atomic is not None:
            raise NegsimError(f"{self.path}: this ResultSink is already open")
        self.rows, self._schema = 0, None
        self._atomic = atomic_path(self.path)
        self._tmp = self._atomic.__enter__()
        return self

    def write(self, frame: pd.DataFrame) -> None:
        """Append the rows of `frame` (its index is not stored, as in `write_parquet`)."""
        if self._tmp is None:
            raise NegsimError(f"{self.path}: write to a ResultSink inside its with block")
        if self._schema is None:
            self._schema = _file_schema(frame)
        if list(frame.columns) != self._schema.names:
            raise NegsimError(
                f"{self.path}: a piece's columns {list(frame.columns)} differ from the first "
                f"piece's {self._schema.names}"
            )
        try:
            table = pa.Table.from_pandas(frame, schema=self._schema, preserve_index=False)
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as error:
            raise NegsimError(
                f"{self.path}: a piece does not fit the file's schema: {error}"
            ) from error
        if self._writer is None:
            self._writer = pq.ParquetWriter(self._tmp, self._schema)
        if table.num_rows:
            self._writer.write_table(table)
        self.rows += table.num_rows

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        atomic, tmp, writer = self._atomic, self._tmp, self._writer
        assert atomic is not None and tmp is not None
        self._atomic = self._tmp = self._writer = None
        if exc is not None:
            if writer is not None:
                with contextlib.suppress(Exception):
                    writer.close()
            atomic.__exit__(exc_type, exc, tb)  # removes the temporary file
            return
        try:
            if writer is None:  # nothing written: an empty table, with the columns if known
                writer = pq.ParquetWriter(tmp, self._schema or pa.schema([]))
            writer.close()
        except BaseException as error:
            atomic.__exit__(type(error), error, error.__traceback__)
            raise
        atomic.__exit__(None, None, None)  # renames the file into place
