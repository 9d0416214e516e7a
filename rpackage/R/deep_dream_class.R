# The "deep_dream" class: an H x W x 3 array of pixel values 0..255.

as_deep_dream <- function(x) {
  dims <- dim(x)
  if (length(dims) == 2L) {
    x <- array(x, dim = c(dims, 3L))
  }
  structure(x, class = "deep_dream")
}

#' Print a dream
#'
#' Shows the size of a `"deep_dream"` picture instead of its pixel values.
#'
#' @param x A `"deep_dream"` array, as returned by [deep_dream()].
#' @param ... Ignored.
#' @return `x`, invisibly.
#' @examples
#' dream <- structure(array(128L, c(2, 3, 3)), class = "deep_dream")
#' dream
#' @export
print.deep_dream <- function(x, ...) {
  dims <- dim(x)
  values <- unclass(x)
  cat(sprintf(
    "<deep_dream> %d x %d pixels (height x width), RGB values %s to %s\n",
    dims[[1]], dims[[2]], format(min(values)), format(max(values))
  ))
  cat("Use plot() to see it, as.raster() for a raster, unclass() for the plain array.\n")
  invisible(x)
}

#' Convert a dream to a raster
#'
#' @param x A `"deep_dream"` array.
#' @param max The value that is full intensity (255 for dreams).
#' @param ... Passed on to [grDevices::as.raster()].
#' @return A `"raster"` object (a matrix of colours), as drawn by [graphics::plot()] or
#'   [grid::grid.raster()].
#' @examples
#' dream <- structure(array(c(255L, 0L, 0L), c(1, 1, 3)), class = "deep_dream")
#' as.raster(dream)
#' @importFrom grDevices as.raster
#' @export
as.raster.deep_dream <- function(x, max = 255, ...) {
  values <- unclass(x)
  values <- pmin(pmax(values, 0), max)
  grDevices::as.raster(array(values, dim = dim(x)), max = max, ...)
}

#' Draw a dream
#'
#' Draws the picture in the current graphics device (the plot pane in RStudio), like the
#' R blog's `plot(as.raster(...))`, with the picture's aspect ratio and no axes.
#'
#' @param x A `"deep_dream"` array.
#' @param ... Passed on to the raster `plot()` method, e.g. `interpolate = FALSE`.
#' @return `x`, invisibly.
#' @examples
#' dream <- structure(array(runif(48, 0, 255), c(4, 4, 3)), class = "deep_dream")
#' plot(dream)
#' @export
plot.deep_dream <- function(x, ...) {
  old <- graphics::par(mar = c(0, 0, 0, 0))
  on.exit(graphics::par(old), add = TRUE)
  plot(as.raster(x), ...)
  invisible(x)
}

#' @export
as.array.deep_dream <- function(x, ...) {
  attr(x, "entries") <- NULL
  attr(x, "photo") <- NULL
  unclass(x)
}
