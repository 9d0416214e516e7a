# Errors: argument problems found in R, and Python exceptions turned into R errors.

# An error about an argument, raised before Python is called.
abort_argument <- function(message, call = NULL) {
  stop(structure(
    class = c("deepdream_argument_error", "deepdream_error", "error", "condition"),
    list(message = message, call = call)
  ))
}

# A Python exception (its type name and message) -> an R error with advice, on one line.
#
# The engine reports bad input with ValueError, TypeError, FileNotFoundError or
# MemoryBudgetError and a one-line message that names the setting; those are shown as they
# are, in R terms. Anything else is unexpected and says where to find the Python traceback.
abort_python <- function(type, message, call = NULL) {
  message <- trimws(message %||% "")
  user_error <- type %in% c("ValueError", "TypeError", "FileNotFoundError", "KeyError",
                            "IsADirectoryError", "FileExistsError", "PermissionError",
                            "MemoryBudgetError")
  text <- one_line(r_terms(message))
  advice <- advice_for(type, message)
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
  stop(structure(
    class = c(paste0("deepdream_", snake_case(type)), "deepdream_python_error",
              "deepdream_error", "error", "condition"),
    list(message = text, call = call, python_type = type, python_message = message)
  ))
}

# Line breaks (and the spaces around them) -> one space.
one_line <- function(text) {
  gsub("[[:space:]]*\n[[:space:]]*", " ", text)
}

# End a message with a full stop, so that advice can follow it.
sentence_end <- function(text) {
  if (grepl("[.!?]$", text)) text else paste0(text, ".")
}

# Python spellings in engine messages -> R spellings.
r_terms <- function(message) {
  message <- gsub("\\bNone\\b", "NULL", message)
  message <- gsub("\\bTrue\\b", "TRUE", message)
  message <- gsub("\\bFalse\\b", "FALSE", message)
  message <- gsub("\\{'([A-Za-z0-9_]+)': ([^}]+)\\}", "list(\\1 = \\2)", message)
  # keyword arguments: precision='bfloat16' -> precision = "bfloat16", overwrite=TRUE ->
  # overwrite = TRUE
  message <- gsub("\\b([a-z_][a-z0-9_]*)='([^']*)'", "\\1 = \"\\2\"", message)
  message <- gsub("\\b([a-z_][a-z0-9_]*)=(TRUE|FALSE|NULL|-?[0-9])", "\\1 = \\2", message)
  # the command line's spelling of an option, e.g. " (--overwrite)"
  message <- gsub(" \\(--[a-z][a-z-]*\\)", "", message)
  message
}

advice_for <- function(type, message) {
  advice <- character()
  if (type == "FileNotFoundError") {
    advice <- c(advice, paste0(
      "Relative paths are taken from the working directory, ", getwd(), "."
    ))
  }
  if (grepl("unknown layer", message, fixed = TRUE) &&
      !grepl("list_layers", message, fixed = TRUE)) {
    advice <- c(advice, "`list_layers()` lists the layers a model has.")
  }
  if (grepl("unknown preset", message, fixed = TRUE)) {
    advice <- c(advice, "`dream_presets()` shows the presets and what they set.")
  }
  if (grepl("imagenet", message, ignore.case = TRUE) &&
      grepl("download|fetch|URL|connect", message, ignore.case = TRUE)) {
    advice <- c(advice, paste0(
      "Without internet access, pass `weights =` the path of a weights file, ",
      "or `weights = NULL` for an untrained network."
    ))
  }
  advice
}

snake_case <- function(x) {
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
