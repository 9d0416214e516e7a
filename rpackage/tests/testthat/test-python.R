# How Python is found and loaded.

rscript <- function() file.path(R.home("bin"), "Rscript")

test_that("loading deepdream does not start Python", {
  code <- paste(
    "suppressMessages(library(deepdream));",
    "cat(reticulate::py_available(initialize = FALSE))"
  )
  libs <- paste(.libPaths(), collapse = .Platform$path.sep)
  out <- system2(rscript(), c("--vanilla", "-e", shQuote(code)), stdout = TRUE, stderr = TRUE,
                 env = paste0("R_LIBS=", shQuote(libs)))
  expect_identical(utils::tail(out, 1), "FALSE")
})

test_that("DEEPDREAM_PYTHON is passed on to reticulate", {
  folder <- tempfile("venv")
  dir.create(file.path(folder, "bin"), recursive = TRUE)
  file.create(file.path(folder, "bin", "python"))
  expect_identical(deepdream:::virtualenv_executable(folder),
                   file.path(folder, "bin", "python"))
  code <- paste(
    "suppressMessages(library(deepdream));",
    "cat(Sys.getenv('RETICULATE_PYTHON'))"
  )
  libs <- paste(.libPaths(), collapse = .Platform$path.sep)
  out <- system2(rscript(), c("--vanilla", "-e", shQuote(code)), stdout = TRUE, stderr = TRUE,
                 env = c(paste0("R_LIBS=", shQuote(libs)),
                         paste0("DEEPDREAM_PYTHON=", shQuote(folder))))
  expect_identical(utils::tail(out, 1), file.path(folder, "bin", "python"))
})

test_that("a missing engine gives advice instead of a Python traceback", {
  code <- paste(
    "suppressMessages(library(deepdream));",
    "cat(pydream_available(), '\\n');",
    "e <- tryCatch(list_layers(), error = function(e) e);",
    "cat(class(e)[1], conditionMessage(e), sep = '\\n')"
  )
  libs <- paste(.libPaths(), collapse = .Platform$path.sep)
  out <- system2(rscript(), c("--vanilla", "-e", shQuote(code)), stdout = TRUE, stderr = TRUE,
                 env = c(paste0("R_LIBS=", shQuote(libs)),
                         "DEEPDREAM_PYTHON=/nonexistent/bin/python"))
  text <- paste(out, collapse = "\n")
  expect_match(text, "FALSE", fixed = TRUE)
  expect_match(text, "deepdream_python_missing", fixed = TRUE)
  expect_match(text, "install_deepdream()", fixed = TRUE)
  expect_match(text, "DEEPDREAM_PYTHON", fixed = TRUE)
})

test_that("a .venv with pydream in the working directory is recognised", {
  folder <- tempfile("project")
  site <- file.path(folder, ".venv", "lib", "python3.11", "site-packages")
  dir.create(site, recursive = TRUE)
  expect_false(deepdream:::venv_has_pydream(file.path(folder, ".venv")))
  file.create(file.path(folder, ".venv", "pyvenv.cfg"))
  expect_false(deepdream:::venv_has_pydream(file.path(folder, ".venv")))
  dir.create(file.path(site, "pydream_keras-0.1.0.dist-info"))
  expect_true(deepdream:::venv_has_pydream(file.path(folder, ".venv")))
})
