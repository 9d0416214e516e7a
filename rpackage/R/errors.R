# Errors: argument problems found in R, and Python exceptions turned into R errors.

# An error about an argument, raised before Python is called.
abort_argument <- function(message, call = NULL) {
  stop(structure(
    class = c("deepdream_argument_error", "deepdream_error", "error", "condition"),
    list(message = message, call = call)
  ))
}

# A Python exception -> an R error with advice, on one line.
#
# `type` is the exception's class name and `message` its message; for the engine's typed
# errors (see pydream/errors.py and error_facts() in the bridge), `chain` names its classes
# from its own up to "PydreamError", `builtins` the built-in exception classes it also is
# (such as "ValueError", "TypeError", "FileNotFoundError") and `fields` the facts it
# carries (a named list). The R classes are derived from those names, most specific
# first: an unknown layer is c("deepdream_layer_error", "deepdream_setting_error",
# "deepdream_pydream_error", "deepdream_value_error", "deepdream_type_error",
# "deepdream_python_error", "deepdream_error", "error", "condition"). The fields become
# elements of the condition (`cnd$setting`, `cnd$path`, `cnd$suggestions`, ...).
#
# The message is the engine's, as it is (on one line). The engine's typed errors, and the
# ValueError, TypeError, FileNotFoundError, ... it raises about bad input, are shown as they
# are; anything else is unexpected and says where to find the Python traceback. Advice is
# chosen by class, never by the message's text.
abort_python <- function(type, message, call = NULL, chain = character(),
                         builtins = character(), fields = list()) {
  message <- trimws(message %||% "")
  chain <- as.character(unlist(chain))
  builtins <- as.character(unlist(builtins))
  fields <- simplify_fields(fields)
  classes <- paste0("deepdream_", unique(snake_case(c(type, chain, builtins))))
  user_error <- length(chain) > 0L || type %in% c(
    "ValueError", "TypeError", "FileNotFoundError", "KeyError", "IsADirectoryError",
    "FileExistsError", "PermissionError", "MemoryBudgetError"
  )
  text <- one_line(message)
  advice <- advice_for(classes, fields)
  if (!user_error) {
    text <- paste0(type, ": ", text)
    advice <- c(advice, paste0(
      "This is an unexpected error in Python; `deepdream::last_python_error()` ",
      "shows its traceback."
    ))
  }
  if (length(advice)) {
    text <- paste(sentence_end(text), paste(advice, collapse = " "))
  }
  reserved <- c("message", "call", "python_type", "python_message", "python_classes")
  fields <- fields[!names(fields) %in% reserved]
  stop(structure(
    class = c(classes, "deepdream_python_error", "deepdream_error", "error", "condition"),
    c(list(message = text, call = call, python_type = type, python_message = message,
           python_classes = unique(c(type, chain, builtins))),
      fields)
  ))
}

# The fields of a typed error as R values: a list of single strings, numbers or logicals
# of one type (such as `suggestions`) becomes a vector; NULL stays NULL.
simplify_fields <- function(fields) {
  if (!length(fields)) {
    return(list())
  }
  lapply(fields, function(value) {
    if (is.list(value) && length(value) && is.null(names(value)) &&
        all(vapply(value, function(x) is.atomic(x) && length(x) == 1L, logical(1)))) {
      kinds <- unique(vapply(value, typeof, character(1)))
      if (length(kinds) == 1L) {
        return(unlist(value))
      }
    }
    if (is.list(value) && !length(value)) character() else value
  })
}

# Line breaks (and the spaces around them) -> one space.
one_line <- function(text) {
  gsub("[[:space:]]*\n[[:space:]]*", " ", text)
}

# End a message with a full stop, so that advice can follow it.
sentence_end <- function(text) {
  if (grepl("[.!?]$", text)) text else paste0(text, ".")
}

# What to do next, by the error's R classes (see abort_python()) and fields.
advice_for <- function(classes, fields = list()) {
  advice <- character()
  if ("deepdream_file_not_found_error" %in% classes) {
    advice <- c(advice, paste0(
      "Relative paths are taken from the working directory, ", getwd(), "."
    ))
  }
  if ("deepdream_layer_error" %in% classes) {
    model <- fields[["model"]]
    model <- if (is.character(model) && length(model) == 1L) model else "the model"
    advice <- c(advice, paste0(
      "`list_layers(model, all_layers = TRUE)` lists every layer of ", model, "."
    ))
  }
  if ("deepdream_preset_error" %in% classes) {
    advice <- c(advice, "`dream_presets()` shows the presets and what they set.")
  }
  if ("deepdream_weights_error" %in% classes && identical(fields[["path"]], "imagenet")) {
    advice <- c(advice, paste0(
      "Without internet access, pass `weights =` the path of a weights file, ",
      "or `weights = NULL` for an untrained network."
    ))
  }
  advice
}

# Python class names -> snake case: "LayerError" -> "layer_error", "OSError" -> "os_error".
snake_case <- function(x) {
  x <- gsub("([A-Z]+)([A-Z][a-z])", "\\1_\\2", x)
  tolower(gsub("([a-z0-9])([A-Z])", "\\1_\\2", x))
}

# The first line of a reticulate error message that carries the Python exception,
# without the "Detailed traceback" reticulate adds.
python_error_line <- function(message) {
  lines <- strsplit(message, "\n", fixed = TRUE)[[1]]
  lines <- trimws(lines)
  lines <- lines[nzchar(lines)]
  hit <- grep("^[A-Za-z_][A-Za-z0-9_.]*(Error|Exception|Interrupt)\\b", lines, value = TRUE)
  if (length(hit)) hit[[1]] else if (length(lines)) lines[[1]] else ""
}

#' The last error raised in Python
#'
#' When a call fails inside Python for a reason that is not a bad argument, the R error
#' says so; this function returns the details of that Python error, including its
#' traceback, for a bug report.
#'
#' @return A list with elements `type`, `message` and `traceback` (character strings),
#'   with class "deepdream_python_error_info"; `NULL` if no call has failed.
#' @examples
#' \dontrun{
#' last_python_error()
#' }
#' @export
last_python_error <- function() {
  if (!pydream_available(initialize = FALSE) || is.null(.state$bridge)) {
    return(NULL)
  }
  info <- reticulate::py_to_r(.state$bridge$last_error())
  if (!length(info)) {
    return(NULL)
  }
  structure(info, class = "deepdream_python_error_info")
}

#' @export
print.deepdream_python_error_info <- function(x, ...) {
  cat(x$traceback)
  invisible(x)
}
