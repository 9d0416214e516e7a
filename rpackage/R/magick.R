# Pictures of the magick package: accepted wherever a picture is, and made from dreams.

#' Convert a dream to a magick image
#'
#' Turns a [deep_dream()] result (or a [dream_gallery()] sheet, or any array of pixels with
#' values from 0 to 255) into an image of the magick package, to annotate, combine,
#' animate or write it with magick's functions. The other way round needs no conversion:
#' `deep_dream()`, `dream_gallery()` and the other functions that take a picture accept a
#' magick image as it is (as `image`, `guide` or `mask`).
#'
#' @param x A `"deep_dream"` array, or a numeric array of pixels 0 to 255: height x width
#'   (grey), height x width x 3 (RGB) or height x width x 4 (RGBA).
#' @return A `"magick-image"` of one frame, the size of `x`.
#' @examples
#' if (requireNamespace("magick", quietly = TRUE)) {
#'   dream <- structure(array(runif(48 * 64 * 3, 0, 255), c(48, 64, 3)), class = "deep_dream")
#'   img <- as_magick(dream)
#'   magick::image_info(img)
#' }
#' @export
as_magick <- function(x) {
  require_magick("as_magick()")
  if (is.character(x)) {
    abort_argument("`x` must be a dream or an array of pixels; read a file with magick::image_read().")
  }
  pixels <- check_pixels(x, "x")
  if (length(dim(pixels)) == 2L) {
    grey <- pixels
    pixels <- array(c(grey, grey, grey), dim = c(dim(grey), 3L))
  }
  magick::image_read(pixels / 255)
}

require_magick <- function(what) {
  if (!requireNamespace("magick", quietly = TRUE)) {
    abort_argument(sprintf(
      "%s needs the magick package: install.packages(\"magick\").", what
    ))
  }
}

# A magick image -> an integer array of pixels, height x width x 1 (grey), 3 (RGB) or 4
# (with an alpha channel), as check_pixels() and check_mask() take it.
magick_to_array <- function(x, name) {
  require_magick(sprintf("A magick image as `%s`", name))
  frames <- length(x)
  if (frames != 1L) {
    abort_argument(sprintf(
      "`%s` is a magick image of %d frames; pick one, e.g. `%s[1]`.", name, frames, name
    ))
  }
  info <- magick::image_info(x)
  channels <- if (isTRUE(info$matte)) {
    "rgba"
  } else if (identical(info$colorspace, "Gray")) {
    "gray"
  } else {
    "rgb"
  }
  as.integer(magick::image_data(x, channels = channels))
}
