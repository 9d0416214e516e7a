# The blog's building blocks, one R function per Python function, same names and arguments.
# Together they make a dream step by step: preprocess, resize to each octave, ascend,
# reinject the lost detail, deprocess, save (see vignette("jellyfish")).

#' Preprocess a picture for a network
#'
#' Loads a picture and scales its pixels to the network's input range (for InceptionV3,
#' `x / 127.5 - 1`, so from -1 to 1), with a leading batch dimension.
#'
#' @inheritParams deep_dream
#' @param model The network's name: "inception_v3" (default), "vgg16", ... (see
#'   [list_layers()]).
#' @return A numeric array of dim 1 x height x width x 3.
#' @family building blocks
#' @examples
#' if (pydream_available()) {
#'   x <- preprocess_image(example_image("jellyfish"))
#'   dim(x)
#'   range(x)
#' }
#' @export
preprocess_image <- function(image, model = "inception_v3") {
  model <- check_string(model, "model")
  image <- as_image_argument(image)
  call_pydream("preprocess_image", list(image), list(model = model))
}

#' Turn a preprocessed image back into a picture
#'
#' Undoes [preprocess_image()] (for InceptionV3, `(x + 1) * 127.5`), rounding and clipping
#' the pixel values to 0..255.
#'
#' @param x A numeric array of dim 1 x height x width x 3 (or height x width x 3) in the
#'   network's input range, as [preprocess_image()] and [gradient_ascent()] return.
#' @inheritParams preprocess_image
#' @return A `"deep_dream"` array of dim height x width x 3, values 0 to 255.
#' @family building blocks
#' @examples
#' if (pydream_available()) {
#'   x <- preprocess_image(example_image("jellyfish"))
#'   plot(deprocess_image(x))
#' }
#' @export
deprocess_image <- function(x, model = "inception_v3") {
  x <- check_tensor(x, "x")
  model <- check_string(model, "model")
  as_deep_dream(call_pydream("deprocess_image", list(r_to_numpy(x)), list(model = model)))
}

#' Resize a preprocessed image
#'
#' Bilinear resizing of a preprocessed image to a new height and width, as used between
#' octaves.
#'
#' @param x A numeric array of dim 1 x height x width x 3, as [preprocess_image()] returns.
#' @param size The new size, `c(height, width)`.
#' @return A numeric array of dim 1 x `size[1]` x `size[2]` x 3.
#' @family building blocks
#' @examples
#' if (pydream_available()) {
#'   x <- preprocess_image(example_image("jellyfish"))
#'   small <- resize_img(x, c(100, 150))
#'   dim(small)
#' }
#' @export
resize_img <- function(x, size) {
  x <- check_tensor(x, "x")
  if (length(dim(x)) != 4L || dim(x)[[1]] != 1L) {
    abort_argument(sprintf(
      "`x` must have dim 1 x height x width x 3 (as preprocess_image() returns), not %s.",
      describe_shape(x)
    ))
  }
  size <- check_size(size)
  call_pydream("resize_img", list(r_to_numpy(x), reticulate::tuple(size)))
}

#' Save a picture
#'
#' Writes a picture to a file (atomically: a partial file is never left behind). The format
#' follows the file's extension (.png, .jpg, .tif, .webp, .bmp).
#'
#' @param img A numeric array of pixel values from 0 to 255: height x width (grey),
#'   height x width x 3 (RGB) or x 4 (RGBA), such as a `"deep_dream"` result or the output
#'   of [deprocess_image()].
#' @param fname The file to write.
#' @return `fname`, invisibly.
#' @family building blocks
#' @examples
#' if (pydream_available()) {
#'   x <- preprocess_image(example_image("jellyfish"))
#'   save_img(deprocess_image(x), tempfile(fileext = ".png"))
#' }
#' @export
save_img <- function(img, fname) {
  fname <- check_output_path(fname, "fname", allow_null = FALSE)
  if (length(dim(img)) == 4L && dim(img)[[1]] == 1L) {
    img <- array(img, dim = dim(img)[-1])
  }
  pixels <- as_image_argument(img, "img")
  call_pydream("save_img", list(pixels, fname))
  invisible(fname)
}

#' Gradient ascent on a preprocessed image
#'
#' The heart of DeepDream: `iterations` steps that each add `step` times the normalised
#' gradient of the layer-contribution loss to the image, stopping early when the loss
#' passes `max_loss`.
#'
#' @param x A numeric array of dim 1 x height x width x 3, as [preprocess_image()] returns.
#' @param iterations Number of steps (a non-negative whole number).
#' @param step Step size (a non-negative number).
#' @param max_loss Stop before a step whose loss is above this; `NULL` (the default here)
#'   never stops.
#' @param layers Layer contributions: a named list (or named numeric vector) of layer key =
#'   coefficient, e.g. `list(mixed3 = 0.8, mixed5 = 4)` or `list("mixed4:0-15" = 1)` (see
#'   [deep_dream()] for the keys); `NULL` uses the "chollet" preset's layers. One mapping
#'   only (the octaves are [deep_dream()]'s).
#' @param tile_size `NULL` (the default here) computes the gradient on the whole image; a
#'   whole number computes it on tiles of at most that many pixels a side; "auto" tiles
#'   only when the image would not fit `memory_budget` (see [deep_dream()]).
#' @inheritParams preprocess_image
#' @inheritParams dream-settings
#' @return A numeric array the shape of `x`.
#' @family building blocks
#' @examples
#' if (pydream_available()) {
#'   x <- preprocess_image(example_image("jellyfish"))
#'   x <- resize_img(x, c(150, 225))
#'   # weights = NULL (untrained) keeps the example quick; use "imagenet" for real dreams
#'   x <- gradient_ascent(x, iterations = 3L, step = 0.01,
#'                        layers = list(mixed3 = 1, mixed5 = 2), weights = NULL)
#'   plot(deprocess_image(x))
#' }
#' @name gradient_ascent
NULL

# The body of gradient_ascent(), whose signature is generated from the schema and the Python
# function's (settings-generated.R): `env` holds its arguments.
run_gradient_ascent <- function(env) {
  x <- check_tensor(env$x, "x")
  if (length(dim(x)) != 4L || dim(x)[[1]] != 1L) {
    abort_argument(sprintf(
      "`x` must have dim 1 x height x width x 3 (as preprocess_image() returns), not %s.",
      describe_shape(x)
    ))
  }
  kwargs <- list()
  for (name in gradient_ascent_settings) {
    value <- get(name, envir = env)
    kwargs[name] <- list(if (name == "layers") {
      check_layers(value, allow_schedule = FALSE)
    } else {
      check_setting(name, value)
    })
  }
  positional <- kwargs[c("iterations", "step")]
  kwargs[c("iterations", "step")] <- NULL
  call_pydream("gradient_ascent", c(list(r_to_numpy(x)), unname(positional)), kwargs)
}

#' Octave sizes
#'
#' The height and width of each octave of a dream, smallest first, ending with the full
#' size: octave `i` (counting down from the full size, `i = 0, 1, ...`) is the size divided
#' by `octave_scale^i`, rounded down. Octaves smaller than `min_size` are left out with a
#' warning.
#'
#' @param shape The picture's size, `c(height, width)`.
#' @inheritParams deep_dream
#' @param min_size The smallest height or width a network accepts (75 for InceptionV3).
#' @return An integer matrix with one row per octave and columns `height` and `width`.
#' @family building blocks
#' @examples
#' if (pydream_available()) {
#'   octave_shapes(c(1714, 2560), num_octave = 5L, octave_scale = 1.4)
#' }
#' @export
octave_shapes <- function(shape, num_octave, octave_scale, min_size = 1L) {
  shape <- check_size(shape, "shape")
  num_octave <- check_whole(num_octave, "num_octave", min = 1, max = 50)
  octave_scale <- check_number(octave_scale, "octave_scale", min = 1)
  min_size <- check_whole(min_size, "min_size", min = 1)
  shapes <- call_pydream("octave_shapes", list(reticulate::tuple(shape), num_octave,
                                               octave_scale, min_size))
  matrix(as.integer(unlist(shapes)), ncol = 2L, byrow = TRUE,
         dimnames = list(NULL, c("height", "width")))
}
