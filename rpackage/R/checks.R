# Argument checks and converters: each checks one R value and returns what Python needs
# (an integer where Python wants an int, a plain double, TRUE/FALSE, a string), or raises
# an error that names the argument and says what was wrong, in R terms.

# How a value looks in an error message.
describe_value <- function(x) {
  if (is.null(x)) {
    return("NULL")
  }
  if (inherits(x, "python.builtin.object")) {
    return(paste0("a Python object of class \"", class(x)[[1]], "\""))
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

# A bound of a number as an error message shows it: 1000000, not 1e+06.
format_bound <- function(x) format(x, scientific = FALSE, digits = 15)

# A single whole number -> integer (Python int).
check_whole <- function(x, name, min = NULL, max = NULL, allow_null = FALSE) {
  if (is.null(x) && allow_null) {
    return(NULL)
  }
  kind <- if (!is.null(min) && !is.null(max)) {
    sprintf("whole number from %s to %s", format_bound(min), format_bound(max))
  } else if (identical(min, 0)) {
    "non-negative whole number"
  } else if (identical(min, 1)) {
    "positive whole number"
  } else if (!is.null(min)) {
    sprintf("whole number of at least %s", format_bound(min))
  } else {
    "whole number"
  }
  # R's integers end at .Machine$integer.max; a larger `max` (a seed) is passed as a double
  largest <- if (is.null(max)) .Machine$integer.max else max(max, .Machine$integer.max)
  good <- is.numeric(x) && length(x) == 1L && !is.na(x) && is.finite(x) &&
    x == round(x) && abs(x) <= largest &&
    (is.null(min) || x >= min) && (is.null(max) || x <= max)
  if (!good) {
    abort_argument(sprintf(
      "`%s` must be a single %s%s, not %s.",
      name, kind, if (allow_null) " or NULL" else "", describe_value(x)
    ))
  }
  if (abs(x) <= .Machine$integer.max) as.integer(x) else as.double(x)
}

# A single finite number -> double (Python float).
check_number <- function(x, name, min = NULL, above = NULL, max = NULL, allow_null = FALSE) {
  if (is.null(x) && allow_null) {
    return(NULL)
  }
  kind <- if (!is.null(above) && !is.null(max)) {
    sprintf("number greater than %s and at most %s", format_bound(above), format_bound(max))
  } else if (!is.null(above)) {
    sprintf("number greater than %s", format_bound(above))
  } else if (!is.null(min) && !is.null(max)) {
    sprintf("number from %s to %s", format_bound(min), format_bound(max))
  } else if (identical(min, 0)) {
    "non-negative number"
  } else if (!is.null(min)) {
    sprintf("number of at least %s", format_bound(min))
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

# memory_budget: NULL (the engine's default) or a positive number of gigabytes, at most
# `max` -> double.
check_memory_budget <- function(x, name = "memory_budget", max = NULL) {
  if (is.null(x)) {
    return(NULL)
  }
  if (!(is.numeric(x) && length(x) == 1L && !is.na(x) && is.finite(x) && x > 0 &&
        (is.null(max) || x <= max))) {
    abort_argument(sprintf(
      paste0("`%s` must be a single positive number of gigabytes (such as 4 or 0.5%s), ",
             "or NULL for 60%% of the available memory, not %s."),
      name, if (is.null(max)) "" else paste0("; at most ", format_bound(max)),
      describe_value(x)
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

# Layer contributions: a named list (or named numeric vector) of layer key = coefficient,
# e.g. the blog's LContrib, -> a named list of doubles that reticulate turns into a Python
# dict. With `allow_schedule`, an unnamed list of such lists (one per octave, smallest
# first) -> an unnamed list of named lists, which reticulate turns into a list of dicts.
# An objective (objective_layer(), ...) stands for its named list of key = weight.
check_layers <- function(layers, name = "layers", allow_null = TRUE, allow_schedule = TRUE) {
  if (is.null(layers) && allow_null) {
    return(NULL)
  }
  layers <- objective_layers(layers)
  if (allow_schedule && is_layer_schedule(layers)) {
    return(lapply(seq_along(layers), function(i) {
      check_layer_mapping(layers[[i]], sprintf("%s[[%d]]", name, i), allow_schedule = FALSE)
    }))
  }
  check_layer_mapping(layers, name, allow_schedule)
}

# An unnamed list holding at least one list or named vector: one mapping per octave.
is_layer_schedule <- function(x) {
  is.list(x) && !is.data.frame(x) && length(x) > 0L && is.null(names(x)) &&
    any(vapply(x, function(item) is.list(item) || !is.null(names(item)), logical(1)))
}

# One mapping of layer keys to coefficients -> a named list of doubles. An objective that
# stays an objective (one with a direction, see objective_layers()) was checked when it was
# built; it becomes a Python objective on its way (r_to_py()).
check_layer_mapping <- function(layers, name, allow_schedule = FALSE) {
  if (is_objective(layers)) {
    return(layers)
  }
  example <- "e.g. `list(mixed3 = 0.8, mixed5 = 4)`"
  if (!(is.list(layers) || (is.numeric(layers) && !is.null(names(layers)))) ||
      is.data.frame(layers) || inherits(layers, "python.builtin.object")) {
    abort_argument(sprintf(
      "`%s` must be a named list of layer contributions, %s%s, not %s.",
      name, example,
      if (allow_schedule) ", or a list of such lists (one per octave)" else "",
      describe_value(layers)
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
  for (key in layer_names) {
    parse_layer_key(key, name)
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

# A layer key: NAME (the whole layer), NAME:INDEX, NAME:I1,I2 or NAME:FIRST-LAST (channels
# of a layer, or classes of a classification layer such as "predictions:207"), indices
# whole numbers from 0, ranges inclusive; and, with `forms`, the keys of
# pydream.objectives_beyond: "mixed4:97@3,5" and "mixed4:97@c" (a neuron),
# "mixed4:strong10", "weak10", "avg10" (ranked channels), "mixed4:~3,7" (all channels but
# some), "mixed4:diversity", and class names on the classification layer
# ("predictions:tabby", whose names the engine checks). Returns the layer name and whether
# a selection is made, or raises the error the engine would
# (pydream.objectives.term_from_key, whose grammar settings-generated.R holds).
parse_layer_key <- function(key, name = "layers", forms = TRUE) {
  text <- trimws(key)
  if (is.na(key) || !nzchar(text)) {
    abort_argument(sprintf("`%s`: layer names must be non-empty strings.", name))
  }
  colon <- regexpr(":", text, fixed = TRUE)
  if (colon < 0L) {
    return(list(layer = text, selected = FALSE))
  }
  layer <- trimws(substr(text, 1L, colon - 1L))
  if (!nzchar(layer)) {
    abort_argument(sprintf("`%s`: \"%s\" has no layer name before \":\".", name, key))
  }
  selection <- substr(text, colon + 1L, nchar(text))
  if (!forms || is.null(selection_kind(layer, trimws(selection), key, name))) {
    parse_key_indices(selection, key, name)
  }
  list(layer = layer, selected = TRUE)
}

# The indices of PART,PART,... (each an index or FIRST-LAST), checked; `key` names them in
# errors.
parse_key_indices <- function(selection, key, name) {
  # a sentinel keeps empty parts at the end ("mixed4:3," has an empty second part)
  parts <- strsplit(paste0(selection, ",."), ",", fixed = TRUE)[[1]]
  for (part in trimws(parts[-length(parts)])) {
    match <- regmatches(part, regexec(layer_key_index_pattern, part, perl = TRUE))[[1]]
    if (!length(match)) {
      abort_argument(sprintf(
        paste0("`%s`: \"%s\" must look like LAYER:CHANNEL, LAYER:C1,C2 or LAYER:FIRST-LAST ",
               "with whole numbers from 0, e.g. \"mixed4:97\" or \"mixed4:0-15\"."),
        name, key
      ))
    }
    first <- match[[2]]
    last <- if (nzchar(match[[3]])) match[[3]] else first
    start <- as.numeric(first)
    stop <- as.numeric(last)
    if (stop < start) {
      abort_argument(sprintf(
        "`%s`: the range in \"%s\" runs backwards (%s-%s).", name, key, first, last
      ))
    }
    if (stop > max_layer_index) {
      abort_argument(sprintf(
        "`%s`: the index %s in \"%s\" is beyond any network.", name, last, key
      ))
    }
  }
  invisible()
}

# The kind of a selection beyond indices (pydream.objectives_beyond.term_from_selection),
# checked as the engine checks its form, or NULL for indices.
selection_kind <- function(layer, selection, key, name) {
  if (startsWith(selection, layer_key_except_prefix)) {
    rest <- substr(selection, nchar(layer_key_except_prefix) + 1L, nchar(selection))
    parse_key_indices(rest, paste0(layer, ":", rest), name)
    return("except")
  }
  ranked <- regmatches(selection, regexec(layer_key_ranked_pattern, selection, perl = TRUE))[[1]]
  if (length(ranked)) {
    if (as.numeric(ranked[[3]]) == 0) {
      abort_no_ranked_channel(layer, ranked[[2]], name)
    }
    return("ranked")
  }
  neuron <- regmatches(selection, regexec(layer_key_neuron_pattern, selection, perl = TRUE))[[1]]
  if (length(neuron)) {
    if (!nzchar(neuron[[4]]) && neuron[[3]] != layer_key_centre) {
      abort_argument(sprintf("`%s`: \"%s\" must end in @X,Y or @%s.", name, key, layer_key_centre))
    }
    return("neuron")
  }
  if (identical(selection, layer_key_diversity)) {
    return("diversity")
  }
  if (any(startsWith(selection, layer_key_direction_prefixes))) {
    abort_argument(sprintf(
      paste0("`%s`: \"%s\" is a direction's label, not a key: build it with ",
             "objective_direction(layer, vector)."),
      name, key
    ))
  }
  if (!grepl(layer_key_name_pattern, selection, perl = TRUE)) {
    return(NULL)
  }
  check_class_names(layer, selection, key, name)
  "classes"
}

# "predictions:tabby", "predictions:tabby cat,207": the form of classes by name (the engine
# checks the names themselves).
check_class_names <- function(layer, selection, key, name) {
  if (layer != classification_layer) {
    abort_argument(sprintf(
      paste0("`%s`: \"%s\": names select ImageNet classes of \"%s\" (e.g. \"%s:tabby\"); ",
             "channels are numbers (e.g. \"mixed4:97\"), or strong10, weak10, avg10, ~3,7, ",
             "97@3,5."),
      name, key, classification_layer, classification_layer
    ))
  }
  parts <- trimws(strsplit(paste0(selection, ",."), ",", fixed = TRUE)[[1]])
  parts <- parts[-length(parts)]
  if (!all(nzchar(parts))) {
    abort_argument(sprintf(
      "`%s`: \"%s\" has an empty class name; separate names with single commas.", name, key
    ))
  }
  numbers <- parts[grepl("^[0-9]+$", parts)]
  if (length(numbers) && any(as.numeric(numbers) > max_layer_index)) {
    abort_argument(sprintf("`%s`: a class number in \"%s\" is beyond any network.", name, key))
  }
  invisible()
}

# A ranked choice of no channel ("mixed4:strong0"): the engine's error, in R.
abort_no_ranked_channel <- function(layer, mode, name) {
  abort_argument(sprintf(
    "`%s`: \"%s:%s0\" chooses no channel: give a count from 1, e.g. \"%s:%s10\".",
    name, layer, mode, layer, mode
  ))
}

# Layer keys as a character vector (dream_gallery()) -> a list of strings (a Python list,
# so that one key is never split at its commas). With `channels`, every key must select
# channels ("mixed4:0-15"); otherwise a comma outside a channel list is two keys in one.
check_layer_keys <- function(keys, name, channels = FALSE) {
  if (is.null(keys)) {
    return(NULL)
  }
  example <- if (channels) "c(\"mixed4:0-15\")" else "c(\"mixed3\", \"mixed4:97\")"
  if (!is.character(keys) || length(keys) == 0L || anyNA(keys)) {
    abort_argument(sprintf(
      "`%s` must be a character vector of layer keys, e.g. `%s`, or NULL, not %s.",
      name, example, describe_value(keys)
    ))
  }
  for (key in keys) {
    # a gallery dreams whole layers and single channels: the engine reads its keys with the
    # index grammar alone (pydream.run.gallery.gallery_entries)
    parsed <- parse_layer_key(key, name, forms = FALSE)
    if (channels && !parsed$selected) {
      abort_argument(sprintf(
        "`%s`: \"%s\" names no channels; write LAYER:FIRST-LAST, e.g. \"mixed4:0-15\".",
        name, key
      ))
    }
    if (!channels && grepl(",", parsed$layer, fixed = TRUE)) {
      abort_argument(sprintf(
        "`%s`: \"%s\" holds several layer names; give one key per element, e.g. `%s`.",
        name, key, example
      ))
    }
  }
  as.list(unname(keys))
}

# The model: a name from the engine's registry, or a Keras model object (a Python
# keras.Model reached through reticulate, e.g. a keras3 model), passed on untouched; the
# engine says if an object is not a Keras model it can dream with.
check_model <- function(model, name = "model") {
  if (inherits(model, "python.builtin.object")) {
    return(model)
  }
  if (!(is.character(model) && length(model) == 1L && !is.na(model) && nzchar(model))) {
    abort_argument(sprintf(
      paste0("`%s` must be a model name such as \"inception_v3\" (see list_layers()) ",
             "or a Keras model object, not %s."),
      name, describe_value(model)
    ))
  }
  model
}

# preprocess / deprocess of a model object: NULL, a scheme ("tf", "caffe", "torch"), an R
# function or a Python callable.
preprocessing_schemes <- c("tf", "caffe", "torch")

check_processing <- function(x, name) {
  if (is.null(x) || inherits(x, "python.builtin.object") || is.function(x)) {
    return(x)
  }
  if (!(is.character(x) && length(x) == 1L && !is.na(x) && x %in% preprocessing_schemes)) {
    abort_argument(sprintf(
      "`%s` must be NULL, one of %s, or a function, not %s.",
      name, paste0("\"", preprocessing_schemes, "\"", collapse = ", "), describe_value(x)
    ))
  }
  x
}

# preprocess and deprocess together: only for a model object, and functions come in pairs.
check_processing_pair <- function(model, preprocess, deprocess) {
  if (is.null(preprocess) && is.null(deprocess)) {
    return(invisible())
  }
  if (!inherits(model, "python.builtin.object")) {
    abort_argument(sprintf(
      paste0("`preprocess` and `deprocess` are for a Keras model object given as `model`; ",
             "\"%s\" knows its own preprocessing."),
      model
    ))
  }
  r_function <- function(x) is.function(x) && !inherits(x, "python.builtin.object")
  python_value <- function(x) inherits(x, "python.builtin.object")
  if (!python_value(preprocess) && !python_value(deprocess) &&
      (r_function(preprocess) || r_function(deprocess)) &&
      !(r_function(preprocess) && r_function(deprocess))) {
    abort_argument(paste0(
      "Give `preprocess` and `deprocess` both as functions (`deprocess` must undo ",
      "`preprocess`), or name one scheme."
    ))
  }
  invisible()
}

# The image argument: a path, an R array of pixels (0..255), a raster, or a Python object.
# Returns what the engine accepts: a path string or a NumPy uint8 array.
as_image_argument <- function(image, name = "image") {
  image_to_python(check_image(image, name))
}

# The checks of an image argument, in R alone: a path (expanded, it must exist), a Python
# object (untouched) or an integer array of pixels (see check_pixels()).
check_image <- function(image, name = "image") {
  if (inherits(image, "python.builtin.object")) {
    return(image)
  }
  if (inherits(image, "magick-image")) {
    image <- magick_to_array(image, name)
  } else if (inherits(image, c("raster", "nativeRaster"))) {
    image <- raster_to_array(image)
  } else if (is.character(image)) {
    return(check_existing_file(image, name))
  }
  check_pixels(image, name)
}

# A checked image (see check_image()) -> what the engine accepts.
image_to_python <- function(image) {
  if (is.numeric(image)) r_to_numpy(image, dtype = "uint8") else image
}

# Luma weights of ITU-R 601, which Pillow uses to turn a colour file into grey.
luma_weights <- c(0.299, 0.587, 0.114)

# The mask: a file path (expanded, it must exist), a Python object (untouched), or in R a
# matrix height x width of values from 0 to 1 (or 0 to 255 when any value is above 1), TRUE
# and FALSE, or an array height x width x 1 to 4 or a raster (grey with alpha: the grey; RGB
# and RGBA: the luma of the colours, alpha ignored, as for a file) -> a double matrix 0..1.
check_mask <- function(mask, name = "mask") {
  if (is.null(mask) || inherits(mask, "python.builtin.object")) {
    return(mask)
  }
  if (inherits(mask, "magick-image")) {
    mask <- magick_to_array(mask, name)
  } else if (inherits(mask, c("raster", "nativeRaster"))) {
    mask <- raster_to_array(mask)
  } else if (is.character(mask) && is.null(dim(mask))) {
    return(check_existing_file(mask, name))
  }
  dims <- dim(mask)
  shape_ok <- (is.numeric(mask) || is.logical(mask)) && length(dims) %in% c(2L, 3L) &&
    all(dims[1:2] > 0L) && (length(dims) == 2L || dims[[3]] %in% 1:4)
  if (!shape_ok) {
    abort_argument(sprintf(
      paste0("`%s` must be a file path or a numeric matrix (height x width) of values ",
             "from 0 to 1 (or 0 to 255), not %s."),
      name, describe_shape(mask)
    ))
  }
  if (anyNA(mask)) {
    abort_argument(sprintf("`%s` contains missing values (NA).", name))
  }
  values <- unclass(mask)
  storage.mode(values) <- "double"
  if (any(is.infinite(values))) {
    abort_argument(sprintf(
      "`%s` contains infinite values; use numbers from 0 to 1 (or 0 to 255).", name
    ))
  }
  low <- min(values)
  high <- max(values)
  if (low < 0 || high > 255) {
    abort_argument(sprintf(
      "`%s` must hold values from 0 to 1 (or 0 to 255), but they range from %s to %s.",
      name, format(low), format(high)
    ))
  }
  if (length(dims) == 3L) {
    values <- if (dims[[3]] <= 2L) {
      values[, , 1L]
    } else {
      luma_weights[[1]] * values[, , 1L] + luma_weights[[2]] * values[, , 2L] +
        luma_weights[[3]] * values[, , 3L]
    }
  }
  if (high > 1) {
    values <- values / 255
  }
  matrix(pmin(pmax(values, 0), 1), nrow = dims[[1]], ncol = dims[[2]])
}

# A checked mask (see check_mask()) -> what the engine accepts: a float32 array (H, W) in 0..1.
mask_to_python <- function(mask) {
  if (is.numeric(mask)) r_to_numpy(mask, dtype = "float32") else mask
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
