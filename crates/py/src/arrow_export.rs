//! `ArrowBatch`: one Arrow record batch built by the engine (the event log, the per-path rows)
//! handed to Python through the Arrow C data interface, without copying.
//!
//! It implements the Arrow PyCapsule protocol: `__arrow_c_array__` exports the batch as a
//! struct array (`arrow_schema` and `arrow_array` capsules), `__arrow_c_stream__` as a
//! one-batch stream (`arrow_array_stream`). pyarrow (`pa.record_batch(b)`, `pa.table(b)`) and
//! polars import the capsules and keep the Rust buffers alive through the release callback; a
//! capsule the consumer never moved releases its array when Python drops it (the FFI structs'
//! own `Drop`).

use arrow::array::{Array, RecordBatch, RecordBatchIterator, StructArray};
use arrow::ffi::{to_ffi, FFI_ArrowSchema};
use arrow::ffi_stream::FFI_ArrowArrayStream;
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyTuple};
use std::ffi::CString;

/// A record batch owned by Rust, exported to Python without copying.
#[pyclass(frozen, module = "liqcascade._native")]
pub struct ArrowBatch {
    pub batch: RecordBatch,
}

fn capsule_name(s: &str) -> PyResult<CString> {
    CString::new(s).map_err(crate::errors::runtime)
}

#[pymethods]
impl ArrowBatch {
    /// Rows in the batch.
    #[getter]
    fn num_rows(&self) -> usize {
        self.batch.num_rows()
    }

    /// Column names, in order.
    #[getter]
    fn column_names(&self) -> Vec<String> {
        self.batch.schema().fields().iter().map(|f| f.name().clone()).collect()
    }

    /// Address of a column's values buffer in Rust memory (buffer 1 of a primitive column,
    /// as Arrow numbers them: validity, values): lets a test check that pyarrow reads the very
    /// same memory, i.e. that nothing was copied.
    fn _values_address(&self, column: &str) -> PyResult<usize> {
        let col = self
            .batch
            .column_by_name(column)
            .ok_or_else(|| pyo3::exceptions::PyKeyError::new_err(column.to_string()))?;
        let data = col.to_data();
        let buf = data
            .buffers()
            .first()
            .ok_or_else(|| pyo3::exceptions::PyValueError::new_err("column has no values buffer"))?;
        Ok(buf.as_ptr() as usize)
    }

    /// The Arrow PyCapsule protocol: (schema capsule, array capsule) of the batch as a struct
    /// array. A requested schema is not honoured (the batch has one schema); consumers cast.
    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_array__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyTuple>> {
        let _ = requested_schema;
        let data = StructArray::from(self.batch.clone()).into_data();
        let (array, schema) = to_ffi(&data).map_err(crate::errors::runtime)?;
        let schema = PyCapsule::new(py, schema, Some(capsule_name("arrow_schema")?))?;
        let array = PyCapsule::new(py, array, Some(capsule_name("arrow_array")?))?;
        PyTuple::new(py, [schema.into_any(), array.into_any()])
    }

    /// The Arrow PyCapsule protocol: the batch as a one-batch stream.
    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        let _ = requested_schema;
        let reader = RecordBatchIterator::new([Ok(self.batch.clone())], self.batch.schema());
        let stream = FFI_ArrowArrayStream::new(Box::new(reader));
        PyCapsule::new(py, stream, Some(capsule_name("arrow_array_stream")?))
    }

    /// The schema alone (`__arrow_c_schema__`).
    fn __arrow_c_schema__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyCapsule>> {
        let schema =
            FFI_ArrowSchema::try_from(self.batch.schema().as_ref()).map_err(crate::errors::runtime)?;
        PyCapsule::new(py, schema, Some(capsule_name("arrow_schema")?))
    }

    fn __len__(&self) -> usize {
        self.batch.num_rows()
    }

    fn __repr__(&self) -> String {
        format!("ArrowBatch(rows={}, columns={:?})", self.batch.num_rows(), self.column_names())
    }
}
