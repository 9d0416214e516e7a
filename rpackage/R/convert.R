# Moving values between R and Python.
#
# Arrays travel as a flat vector in R's column-major order plus the dim; Python rebuilds
# them with `reshape(order = "F")` and sends results back the same way (see
# inst/python/deepdream_bridge.py). This avoids reticulate's NumPy conversion, which older
# reticulate (such as Debian 12's 1.28) cannot do with NumPy 2, and behaves the same in
# every version.

# An R array -> a NumPy array (a Python object), via the bridge.
r_to_numpy <- function(x, dtype = "float32") {
  dims <- dim(x) %||% length(x)
  values <- if (identical(dtype, "uint8")) {
    as.raw(as.vector(x))
  } else {
    as.double(as.vector(x))
  }
  if (length(values) == 1L) {
    values <- list(values)
  }
  bridge <- python_bridge()
  bridge$array_from_r(values, as.list(as.integer(dims)), dtype)
}

# A value returned by the bridge (already a plain Python object) -> R.
from_python <- function(value) {
  restore_arrays(reticulate::py_to_r(value))
}

restore_arrays <- function(x) {
  if (is.list(x) && isTRUE(x[["__array__"]])) {
    shape <- as.integer(unlist(x$shape))
    values <- unlist(x$values)
    if (is.null(values)) {
      values <- if (x$dtype %in% c("uint8", "int32", "int64", "bool")) integer() else double()
    }
    if (length(shape) <= 1L) {
      return(as.vector(values))
    }
    return(array(values, dim = shape))
  }
  if (is.list(x)) {
    return(lapply(x, restore_arrays))
  }
  x
}

# An R function of an array (a model object's preprocess or deprocess) -> a Python
# function of a NumPy array. The array crosses as values and a dim both ways; an R error
# in the function comes back to the engine as its message, and to R as a one-line error.
r_array_function <- function(f, what) {
  force(f)
  wrapper <- function(x) {
    tryCatch({
      x <- restore_arrays(x)
      result <- f(x)
      if (!is.numeric(result) || anyNA(result)) {
        return(sprintf("it returned %s, not an array of numbers", describe_shape(result)))
      }
      dims <- dim(result)
      if (is.null(dims)) {
        dims <- if (length(result) == length(x)) dim(x) %||% length(x) else length(result)
      }
      list(values = as.double(result), shape = as.list(as.integer(dims)))
    }, error = function(e) conditionMessage(e))
  }
  python_bridge()$r_array_function(reticulate::r_to_py(wrapper, convert = TRUE), what)
}

# Call pydream.<name>(...) through the bridge; turn a Python failure into an R error.
# The engine's notices (decisions it made, such as tiling a large dream) become R messages
# of class "deepdream_note"; its other warnings become R warnings.
call_pydream <- function(name, args = list(), kwargs = list(), call = NULL) {
  bridge <- python_bridge()
  result <- bridge$call(name, unname(args), as_py_kwargs(kwargs))
  ok <- reticulate::py_to_r(result$get("ok"))
  for (text in python_strings(result$get("notes"))) {
    signal_note(text)
  }
  for (text in python_strings(result$get("warnings"))) {
    warning(text, call. = FALSE)
  }
  if (!isTRUE(ok)) {
    abort_python(
      type = reticulate::py_to_r(result$get("type")),
      message = reticulate::py_to_r(result$get("message")),
      call = call,
      chain = python_strings(result$get("chain", list())),
      builtins = python_strings(result$get("builtins", list())),
      fields = from_python(result$get("fields", reticulate::dict()))
    )
  }
  from_python(result$get("value"))
}

# A Python list of strings -> a character vector.
python_strings <- function(value) {
  as.character(unlist(reticulate::py_to_r(value)))
}

# A note from the engine, as an R message that can be silenced with suppressMessages().
signal_note <- function(text) {
  message(structure(
    class = c("deepdream_note", "message", "condition"),
    list(message = paste0(text, "\n"), call = NULL)
  ))
}

# A named R list -> a Python dict that keeps NULL values as None.
as_py_kwargs <- function(kwargs) {
  dict <- reticulate::py_dict(list(), list(), convert = FALSE)
  for (name in names(kwargs)) {
    value <- kwargs[[name]]
    reticulate::py_set_item(dict, name, if (is.null(value)) reticulate::py_none() else value)
  }
  dict
}

`%||%` <- function(x, y) if (is.null(x)) y else x
