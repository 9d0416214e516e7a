# Shared by the tests. Tests that need Python call skip_if_no_pydream(), so the
# suite passes (with skips) on a machine without Python or without the pydream engine, as
# R CMD check runs it on CRAN.

# Skip with the reason, or fail with it when DEEPDREAM_STRICT_TESTS is "true": the project's
# test gate sets it for its run with Python, where every part a test needs must be there.
skip_or_fail <- function(reason) {
  if (identical(Sys.getenv("DEEPDREAM_STRICT_TESTS"), "true")) {
    stop("DEEPDREAM_STRICT_TESTS=true: ", reason, call. = FALSE)
  }
  skip(reason)
}

# testthat::skip_if_not_installed(), failing instead under DEEPDREAM_STRICT_TESTS=true.
require_package <- function(package) {
  if (!requireNamespace(package, quietly = TRUE)) {
    skip_or_fail(paste0("the R package ", package, " is not installed"))
  }
}

skip_if_no_pydream <- function() {
  if (!deepdream::pydream_available()) {
    skip_or_fail("Python with the pydream engine is not available (set DEEPDREAM_PYTHON)")
  }
}

# The real Inception-v3 weights, if this machine has them: the file named by
# PYDREAM_TEST_WEIGHTS or PYDREAM_WEIGHTS (scripts/test-r sets them from ../shared).
real_weights <- function() {
  for (name in c("PYDREAM_TEST_WEIGHTS", "PYDREAM_WEIGHTS")) {
    weights <- Sys.getenv(name, unset = "")
    if (nzchar(weights) && file.exists(weights)) {
      return(weights)
    }
  }
  NULL
}

skip_if_no_weights <- function() {
  weights <- real_weights()
  if (is.null(weights)) {
    skip_or_fail("the real Inception-v3 weights are not available (set PYDREAM_WEIGHTS)")
  }
  weights
}

# A smooth synthetic RGB picture (height x width x 3, values 0..255) that needs no file.
synthetic_image <- function(height = 96L, width = 128L) {
  rows <- seq(0, 1, length.out = height)
  cols <- seq(0, 1, length.out = width)
  red <- outer(rows, cols, function(r, c) 127.5 + 127.5 * sin(6 * r + 3 * c))
  green <- outer(rows, cols, function(r, c) 255 * r * c)
  blue <- outer(rows, cols, function(r, c) 255 * (1 - r) * (0.5 + 0.5 * cos(9 * c)))
  round(array(c(red, green, blue), dim = c(height, width, 3L)))
}

# A synthetic picture written to a PNG file through the package itself.
synthetic_png <- function(height = 96L, width = 128L) {
  path <- tempfile(fileext = ".png")
  deepdream::save_img(synthetic_image(height, width), path)
  path
}

python_bridge_for_tests <- function() deepdream:::python_bridge()
