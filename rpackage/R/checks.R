# Argument checks and converters: each checks one R value and returns what Python needs
# (an integer where Python wants an int, a plain double, TRUE/FALSE, a string), or raises
# an error that names the argument and says what was wrong, in R terms.

# How a value looks in an error message.
describe_value <- function(x) {
  if (is.null(x)) {
    return("NULL")
  }
  if (is.function(x)) {
    return("a function")
  }
  if (is.data.frame(x)) {
    return("a data frame")
  }
  if (is.list(x)) {
    return(sprintf("a list of length %d", length(x)))
  }
  if (!is.atomic(x)) {
    return(paste0("an object of class \"", class(x)[[1]], "\""))
  }
  if (length(x) == 0L) {
    return(sprintf("an empty %s vector", typeof(x)))
  }
  if (length(x) > 1L) {
    return(sprintf("a %s vector of length %d", typeof(x), length(x)))
  }
  if (is.nan(x)) {
    return("NaN")
  }
  if (is.na(x)) {
    return(if (is.character(x)) "NA_character_" else "NA")
  }
  if (is.character(x)) {
    return(sprintf("the string \"%s\"", x))
  }
  if (is.numeric(x)) {
    return(format(x, digits = 15))
  }
  format(x)
}

# A single whole number -> integer (Python int).
check_whole <- function(x, name, min = NULL, max = NULL, allow_null = FALSE) {
  if (is.null(x) && allow_null) {
    return(NULL)
  }
  kind <- if (!is.null(min) && !is.null(max)) {
    sprintf("whole number from %s to %s", format(min), format(max))
  } else if (identical(min, 0)) {
    "non-negative whole number"
  } else if (identical(min, 1)) {
    "positive whole number"
  } else if (!is.null(min)) {
    sprintf("whole number of at least %s", format(min))
  } else {
    "whole number"
  }
  good <- is.numeric(x) && length(x) == 1L && !is.na(x) && is.finite(x) &&
    x == round(x) && abs(x) <= .Machine$integer.max &&
    (is.null(min) || x >= min) && (is.null(max) || x <= max)
  if (!good) {
    abort_argument(sprintf(
      "`%s` must be a single %s%s, not %s.",
      name, kind, if (allow_null) " or NULL" else "", describe_value(x)
    ))
  }
  as.integer(x)
}

# A single finite number -> double (Python float).
check_number <- function(x, name, min = NULL, above = NULL, max = NULL, allow_null = FALSE) {
  if (is.null(x) && allow_null) {
    return(NULL)
  }
  kind <- if (!is.null(above)) {
    sprintf("number greater than %s", format(above))
  } else if (!is.null(min) && !is.null(max)) {
    sprintf("number from %s to %s", format(min), format(max))
  } else if (identical(min, 0)) {
    "non-negative number"
  } else if (!is.null(min)) {
    sprintf("number of at least %s", format(min))
  } else {
    "number"
  }
  good <- is.numeric(x) && length(x) == 1L && !is.na(x) && is.finite(x) &&
    (is.null(min) || x >= min) && (is.null(above) || x > above) &&
    (is.null(max) || x <= max)
  if (!good) {
    abort_argument(sprintf(
      "`%s` must be a single finite %s%s, not %s.",
      name, kind, if (allow_null) " or NULL" else "", describe_value(x)
    ))
  }
  as.double(x)
}

# tile_size: "auto", NULL (never tile) or a whole number of pixels -> "auto", NULL or integer.
check_tile_size <- function(x, name = "tile_size") {
  if (is.null(x) || (is.character(x) && length(x) == 1L && identical(unname(x), "auto"))) {
    return(if (is.null(x)) NULL else "auto")
  }
  good <- is.numeric(x) && length(x) == 1L && !is.na(x) && is.finite(x) &&
    x == round(x) && x >= 1 && x <= .Machine$integer.max
  if (!good) {
    abort_argument(sprintf(
      paste0("`%s` must be \"auto\" (tile only when needed), NULL (never tile) or a ",
             "positive whole number of pixels, not %s."),
      name, describe_value(x)
    ))
  }
  as.integer(x)
}

# memory_budget: NULL (the engine's default) or a positive number of gigabytes -> double.
check_memory_budget <- function(x, name = "memory_budget") {
  if (is.null(x)) {
    return(NULL)
  }
  if (!(is.numeric(x) && length(x) == 1L && !is.na(x) && is.finite(x) && x > 0)) {
    abort_argument(sprintf(
      paste0("`%s` must be a single positive number of gigabytes (such as 4 or 0.5), ",
             "or NULL for 60%% of the available memory, not %s."),
      name, describe_value(x)
    ))
  }
  as.double(x)
}

# TRUE or FALSE.
check_flag <- function(x, name) {
  if (!(is.logical(x) && length(x) == 1L && !is.na(x))) {
    abort_argument(sprintf("`%s` must be TRUE or FALSE, not %s.", name, describe_value(x)))
  }
  x
}

# A single non-empty string.
check_string <- function(x, name, allow_null = FALSE) {
  if (is.null(x) && allow_null) {
    return(NULL)
  }
  if (!(is.character(x) && length(x) == 1L && !is.na(x) && nzchar(x))) {
    abort_argument(sprintf(
      "`%s` must be a single non-empty string%s, not %s.",
      name, if (allow_null) " or NULL" else "", describe_value(x)
    ))
  }
  x
}

# One of a fixed set of strings.
check_choice <- function(x, name, choices) {
  if (!(is.character(x) && length(x) == 1L && !is.na(x) && x %in% choices)) {
    abort_argument(sprintf(
      "`%s` must be one of %s, not %s.",
      name, paste0("\"", choices, "\"", collapse = ", "), describe_value(x)
    ))
  }
  x
}

# A path to a file that must exist -> its expanded path.
check_existing_file <- function(x, name) {
  check_string(x, name)
  path <- path.expand(x)
  if (dir.exists(path)) {
    abort_argument(sprintf("`%s` must be a file, but \"%s\" is a folder.", name, x))
  }
  if (!file.exists(path)) {
    abort_argument(sprintf(
      "`%s` file not found: \"%s\" (the working directory is %s).", name, x, getwd()
    ))
  }
  path
}

# A path to write to -> its expanded path (the folder must exist).
check_output_path <- function(x, name, allow_null = TRUE) {
  if (is.null(x) && allow_null) {
    return(NULL)
  }
  check_string(x, name)
  path <- path.expand(x)
  folder <- dirname(path)
  if (!dir.exists(folder)) {
    abort_argument(sprintf(
      "`%s`: the folder \"%s\" does not exist; create it first.", name, folder
    ))
  }
  path
}

# Layer contributions: a named list (or named numeric vector) of numbers, e.g. the blog's
# LContrib, -> a named list of doubles that reticulate turns into a Python dict.
check_layers <- function(layers, name = "layers", allow_null = TRUE) {
  if (is.null(layers) && allow_null) {
    return(NULL)
  }
  example <- "e.g. `list(mixed3 = 0.8, mixed5 = 4)`"
  if (!(is.list(layers) || is.numeric(layers)) || is.data.frame(layers)) {
    abort_argument(sprintf(
      "`%s` must be a named list of layer contributions, %s, not %s.",
      name, example, describe_value(layers)
    ))
  }
  if (length(layers) == 0L) {
    abort_argument(sprintf("`%s` is empty: give at least one layer, %s.", name, example))
  }
  layer_names <- names(layers)
  if (is.null(layer_names) || anyNA(layer_names) || !all(nzchar(layer_names))) {
    abort_argument(sprintf(
      "Every element of `%s` must be named after a layer, %s.", name, example
    ))
  }
  if (anyDuplicated(layer_names)) {
    abort_argument(sprintf(
      "`%s` names layer \"%s\" more than once.", name,
      layer_names[anyDuplicated(layer_names)]
    ))
  }
  values <- lapply(seq_along(layers), function(i) {
    value <- layers[[i]]
    if (!(is.numeric(value) && length(value) == 1L && !is.na(value) && is.finite(value))) {
      abort_argument(sprintf(
        "The contribution of layer \"%s\" in `%s` must be a single finite number, not %s.",
        layer_names[[i]], name, describe_value(value)
      ))
    }
    as.double(value)
  })
  names(values) <- layer_names
  values
}

# The image argument: a path, an R array of pixels (0..255), a raster, or a Python object.
# Returns what the engine accepts: a path string or a NumPy uint8 array.
as_image_argument <- function(image, name = "image") {
  if (inherits(image, "python.builtin.object")) {
    return(image)
  }
  if (inherits(image, c("raster", "nativeRaster"))) {
    image <- raster_to_array(image)
  } else if (is.character(image)) {
    return(check_existing_file(image, name))
  }
  pixels <- check_pixels(image, name)
  r_to_numpy(pixels, dtype = "uint8")
}

# An R array of pixels, H x W, H x W x 3 or H x W x 4, values 0..255 -> rounded integers.
check_pixels <- function(x, name = "image") {
  dims <- dim(x)
  shape_ok <- is.numeric(x) && !is.null(dims) &&
    (length(dims) == 2L || (length(dims) == 3L && dims[[3]] %in% c(1L, 3L, 4L))) &&
    all(dims[1:2] > 0L)
  if (!shape_ok) {
    abort_argument(sprintf(
      paste0("`%s` must be a file path or a numeric array of pixels, ",
             "height x width (grey), or height x width x 3 (RGB) or x 4 (RGBA), not %s."),
      name, describe_shape(x)
    ))
  }
  if (anyNA(x)) {
    abort_argument(sprintf("`%s` contains missing values (NA).", name))
  }
  low <- min(x)
  high <- max(x)
  if (low < 0 || high > 255) {
    abort_argument(sprintf(
      "`%s` must hold pixel values from 0 to 255, but they range from %s to %s.",
      name, format(low), format(high)
    ))
  }
  if (high <= 1 && any(x != round(x))) {
    abort_argument(sprintf(
      paste0("`%s` holds values from 0 to 1 (as png::readPNG() returns); ",
             "deepdream expects 0 to 255: multiply it by 255."),
      name
    ))
  }
  if (length(dims) == 3L && dims[[3]] == 1L) {
    x <- array(x, dim = dims[1:2])
  }
  pixels <- round(unclass(x))
  storage.mode(pixels) <- "integer"
  pixels
}

describe_shape <- function(x) {
  if (!is.null(dim(x))) {
    sprintf("a %s array of dim %s", typeof(x), paste(dim(x), collapse = " x "))
  } else {
    describe_value(x)
  }
}

# A raster (as.raster(), png::readPNG(native = TRUE)) -> H x W x 4 array 0..255.
raster_to_array <- function(x) {
  colours <- as.matrix(grDevices::as.raster(x))
  rgba <- grDevices::col2rgb(colours, alpha = TRUE)
  dims <- dim(colours)
  array(t(rgba), dim = c(dims[[1]], dims[[2]], 4L))
}

# A float image tensor in R (e.g. from preprocess_image()): 4-d 1 x H x W x 3 or 3-d.
check_tensor <- function(x, name = "x") {
  dims <- dim(x)
  if (!(is.numeric(x) && length(dims) %in% c(3L, 4L) && dims[[length(dims)]] == 3L)) {
    abort_argument(sprintf(
      paste0("`%s` must be a numeric image array of dim 1 x height x width x 3 ",
             "(as preprocess_image() returns), not %s."),
      name, describe_shape(x)
    ))
  }
  if (anyNA(x) || any(!is.finite(x))) {
    abort_argument(sprintf("`%s` contains missing or infinite values.", name))
  }
  x
}

# The shape argument of resize_img(): c(height, width).
check_size <- function(size, name = "size") {
  if (!(is.numeric(size) && length(size) == 2L && !anyNA(size) && all(size >= 1) &&
        all(size == round(size)))) {
    abort_argument(sprintf(
      "`%s` must be two positive whole numbers, c(height, width), not %s.",
      name, describe_value(size)
    ))
  }
  as.list(as.integer(size))
}

# Weights: "imagenet", NULL (untrained) or the path of a weights file.
check_weights <- function(weights) {
  if (is.null(weights)) {
    return(NULL)
  }
  check_string(weights, "weights")
  if (identical(weights, "imagenet")) {
    return(weights)
  }
  path <- path.expand(weights)
  if (!file.exists(path)) {
    abort_argument(sprintf(
      paste0("`weights` must be \"imagenet\", NULL (an untrained network) or the path ",
             "of a weights file; \"%s\" is not a file (the working directory is %s)."),
      weights, getwd()
    ))
  }
  path
}
