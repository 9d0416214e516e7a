#' What the network sees: pictures optimised from noise
#'
#' Feature visualisation, as lucid and lucent draw it: a picture that starts as faint noise
#' is optimised (Adam steps on its Fourier or pixel variables, the picture moved a little
#' at random at every step so that only robust patterns survive) until the chosen units of
#' the network respond to it strongly. Where [deep_dream()] amplifies what the network sees
#' in a photo, this shows what a layer, a channel, a neuron or a class stands for on its
#' own. With `image`, the start is the photo instead of noise, held to it by a penalty
#' (`photo_weight`): the photo "accentuated" toward the objective. The arguments and their
#' defaults are those of the Python function `pydream.visualize()`.
#'
#' @section What to draw:
#' Give exactly one of:
#' * `objective`: a layer key (`"mixed4:97"`, `"mixed4:97@c"`, `"mixed4:diversity"`, ...;
#'   see [deep_dream()]), a named list of keys and weights (`list("mixed4:97" = 1,
#'   mixed3 = 0.2)`), an objective value ([objective_channel()], [objective_neuron()],
#'   [objective_direction()], [objective_class_logit()], their sums, ...), or several of
#'   these (a character vector of keys, or an unnamed list), one picture each;
#' * `layers`: layer names (`c("mixed3", "mixed4")`), one picture each;
#' * `channels`: channel ranges (`"mixed4:0-15"`), one picture per channel: an atlas.
#'
#' `count` draws several pictures of one objective, optimised together; with an
#' [objective_diversity()] term they differ from each other.
#'
#' The pictures of a list are one batch: the network runs once per step for all of them.
#'
#' @param objective What to draw (see "What to draw"), or `NULL`.
#' @param image `NULL` (start from faint noise) or a photo to accentuate: a file path, an
#'   array of pixels 0..255, a raster or a magick image (as [deep_dream()] takes). It is
#'   resized so that its longer side is `size`.
#' @param layers Layer names (see [list_layers()]), one picture each: a character vector
#'   such as `c("mixed3", "mixed4")` (`"mixed3,mixed4"` works too), or `NULL`.
#' @param channels Channel ranges, one picture per channel: a character vector such as
#'   `"mixed4:0-15"` or `c("mixed4:0-7", "mixed5:3")`, or `NULL`.
#' @param count How many pictures of the one objective, a whole number from 1 to 256.
#' @param size The pictures' side in pixels, a whole number up to 4096, or
#'   `c(height, width)`; with `image`, the photo's longer side as drawn. The
#'   engine says when it is too small for the model (InceptionV3 takes 75 pixels at least,
#'   plus what the transforms crop).
#' @param iterations Adam steps, a whole number from 0 (0: the random start itself).
#' @param param The picture's variables: `"fft"` (a spectrum scaled by 1/frequency, the
#'   default: smooth pictures) or `"pixel"` (the pixels themselves: noisier).
#' @param fft_decay The spectrum's exponent, a number from 0 to 10: larger favours coarser
#'   shapes.
#' @param decorrelate `TRUE`: the colours go through the square root of ImageNet's colour
#'   covariance, so that the optimisation moves natural colours.
#' @param transforms The random moves of every step: `"standard"` (lucid's: pad, jitter,
#'   scale, rotate, jitter), `NULL` (none), or a character vector of `"name:range"`
#'   strings (`c("pad:16", "shift:8", "scale:0.9-1.1", "rotate:-10-10")`), applied in order.
#' @param learning_rate Adam's step, a number above 0, at most 10 (lucid: 0.05).
#' @param photo_weight With `image`: the weight of the penalty that holds the picture to the
#'   photo (the mean squared difference, pixels scaled to 0..1), a number from 0.
#' @param seed The start's noise and the transforms' draws: a whole number from 0, or
#'   `NULL` for a fresh one each time.
#' @param model A model name such as `"inception_v3"` or a Keras model object (see
#'   [deep_dream()]).
#' @param weights `"imagenet"`, `NULL` (an untrained network) or the path of a weights file.
#' @param output A file to write: one picture as it is; several as one labelled sheet (a
#'   tile each, labelled by its key, as [dream_gallery()] lays them out).
#' @param columns Tiles per row of the sheet (`output`, and `plot()` of several pictures), a
#'   whole number from 1 to 64; `NULL` (the default) makes a near-square grid.
#' @param progress Show a progress bar of the steps (the engine draws it on the console's
#'   error stream).
#' @return One picture: an array of dim height x width x 3 with values from 0 to 255 and
#'   class `"deep_dream"` (as [deep_dream()] returns). Several: a list of such pictures of
#'   class `"deep_dream_pictures"`, named by their labels (the keys drawn); `plot()` draws
#'   them as a labelled grid, `print()` describes them, `x[[i]]` is one picture.
#' @seealso [deep_dream()] to amplify what the network sees in a photo;
#'   [dream_gallery()]; `vignette("what-the-network-sees", package = "deepdream")`.
#' @examples
#' if (pydream_available()) {
#'   # weights = NULL (an untrained network) keeps the example quick and offline
#'   picture <- visualize("mixed3:5", size = 96L, iterations = 4L, seed = 1L,
#'                        weights = NULL)
#'   plot(picture)
#'   atlas <- visualize(channels = "mixed3:0-3", size = 96L, iterations = 4L, seed = 1L,
#'                      weights = NULL)
#'   atlas
#'   plot(atlas)
#' }
#' \dontrun{
#' # The first 16 channels of mixed4, with the real weights:
#' plot(visualize(channels = "mixed4:0-15", size = 160L))
#' # A neuron, four different pictures of one channel, and the jellyfish accentuated:
#' plot(visualize(objective_neuron("mixed4", 97)))
#' plot(visualize(objective_channel("mixed4", 97) + objective_diversity("mixed4"),
#'                count = 4L))
#' plot(visualize("mixed4:97", image = example_image("jellyfish")))
#' }
#' @export
visualize <- function(objective = NULL, image = NULL, layers = NULL, channels = NULL,
                      count = 1L, size = 224L, iterations = 256L, param = "fft",
                      fft_decay = 1, decorrelate = TRUE, transforms = "standard",
                      learning_rate = 0.05, photo_weight = 1, seed = NULL,
                      model = "inception_v3", weights = "imagenet", output = NULL,
                      columns = NULL, progress = interactive()) {
  kwargs <- visualize_arguments(
    objective = objective, image = image, layers = layers, channels = channels,
    count = count, size = size, iterations = iterations, param = param,
    fft_decay = fft_decay, decorrelate = decorrelate, transforms = transforms,
    learning_rate = learning_rate, photo_weight = photo_weight, seed = seed, model = model,
    weights = weights, output = output, columns = columns, progress = progress
  )
  result <- run_visualize(kwargs)
  as_visualization(result$pictures, as.character(unlist(result$labels)), kwargs$columns)
}

# Run checked arguments (see visualize_arguments()) in the engine. `step_callback`, a
# function(done, total) called after every step, stops the run when it returns TRUE.
# Returns list(pictures, labels, stopped): `stopped` NULL, or (pictures NULL) a sentence
# saying after how many steps it stopped.
run_visualize <- function(kwargs, step_callback = NULL) {
  kwargs <- visualize_to_python(kwargs)
  if (!is.null(step_callback)) {
    kwargs$step_callback <- reticulate::r_to_py(function(done, total) {
      isTRUE(step_callback(as.integer(done), as.integer(total)))
    }, convert = TRUE)
  }
  call_pydream("visualize", list(), kwargs)
}

# visualize()'s arguments checked in R: a named list of the values for Python (the
# objective and the picture still R values; visualize_to_python() converts them).
visualize_arguments <- function(objective = NULL, image = NULL, layers = NULL,
                                channels = NULL, count = 1L, size = 224L,
                                iterations = 256L, param = "fft", fft_decay = 1,
                                decorrelate = TRUE, transforms = "standard",
                                learning_rate = 0.05, photo_weight = 1, seed = NULL,
                                model = "inception_v3", weights = "imagenet", output = NULL,
                                columns = NULL, progress = FALSE) {
  check_one_target(objective, layers, channels)
  kwargs <- list()
  kwargs["objective"] <- list(check_visualize_objective(objective))
  kwargs["image"] <- list(if (is.null(image)) NULL else check_image(image))
  kwargs["layers"] <- list(check_visualize_layers(layers))
  kwargs["channels"] <- list(check_layer_keys(channels, "channels", channels = TRUE))
  kwargs$count <- check_whole(count, "count", min = 1, max = 256)
  kwargs$size <- check_visualize_size(size)
  kwargs$iterations <- check_whole(iterations, "iterations", min = 0)
  kwargs$param <- check_choice(param, "param", c("fft", "pixel"))
  kwargs$fft_decay <- check_number(fft_decay, "fft_decay", min = 0, max = 10)
  kwargs$decorrelate <- check_flag(decorrelate, "decorrelate")
  kwargs["transforms"] <- list(check_transforms(transforms))
  kwargs$learning_rate <- check_number(learning_rate, "learning_rate", above = 0, max = 10)
  kwargs$photo_weight <- check_number(photo_weight, "photo_weight", min = 0)
  kwargs["seed"] <- list(check_whole(seed, "seed", min = 0, allow_null = TRUE))
  kwargs$model <- check_model(model)
  kwargs["weights"] <- list(check_weights(weights))
  kwargs["output"] <- list(check_output_path(output, "output"))
  kwargs["columns"] <- list(check_whole(columns, "columns", min = 1, max = 64,
                                        allow_null = TRUE))
  kwargs$progress <- check_flag(progress, "progress")
  kwargs
}

# Exactly one of objective, layers and channels.
check_one_target <- function(objective, layers, channels) {
  given <- c("objective", "layers", "channels")[
    !c(is.null(objective), is.null(layers), is.null(channels))
  ]
  if (length(given) == 1L) {
    return(invisible())
  }
  abort_argument(sprintf(
    paste0("Give exactly one of `objective`, `layers` and `channels` (what to draw), %s."),
    if (length(given)) {
      paste0("not ", paste0("`", given, "`", collapse = " and "), " together")
    } else {
      "e.g. `objective = \"mixed4:97\"` or `channels = \"mixed4:0-7\"`"
    }
  ))
}

# One objective (a key, a named list of keys and weights, an objective value) or several
# (a character vector of keys, an unnamed list): each checked as `layers` is in
# deep_dream(). Returns a key, a named list, an objective (one with a direction) or an
# unnamed list of them, with `attr(, "several")` TRUE for several.
check_visualize_objective <- function(objective) {
  if (is.null(objective)) {
    return(NULL)
  }
  several <- (is.character(objective) && length(objective) > 1L) ||
    (is.list(objective) && !is_objective(objective) && !is.data.frame(objective) &&
       is.null(names(objective)))
  items <- if (several) as.list(objective) else list(objective)
  if (!length(items)) {
    abort_argument("`objective` is an empty list: give at least one objective.")
  }
  checked <- lapply(seq_along(items), function(i) {
    name <- if (several) sprintf("objective[[%d]]", i) else "objective"
    one_objective(items[[i]], name)
  })
  if (several) structure(checked, several = TRUE) else checked[[1]]
}

one_objective <- function(item, name) {
  if (is.character(item) && length(item) == 1L && !is.na(item)) {
    parse_layer_key(item, name)
    return(trimws(item))
  }
  if (!(is_objective(item) || is.list(item) || (is.numeric(item) && !is.null(names(item))))) {
    abort_argument(sprintf(
      paste0("`%s` must be a layer key such as \"mixed4:97\", a named list of keys and ",
             "weights, or an objective such as objective_channel(\"mixed4\", 97), not %s."),
      name, describe_value(item)
    ))
  }
  check_layer_mapping(objective_layers(item), name)
}

# Layer names, one picture each: a character vector, elements possibly "mixed3,mixed4".
check_visualize_layers <- function(layers) {
  if (is.null(layers)) {
    return(NULL)
  }
  if (!is.character(layers) || !length(layers) || anyNA(layers)) {
    abort_argument(sprintf(
      "`layers` must be a character vector of layer names, e.g. `c(\"mixed3\", \"mixed4\")`, not %s.",
      describe_value(layers)
    ))
  }
  # a sentinel keeps an empty last part ("mixed3," names an empty layer)
  names <- trimws(unlist(lapply(strsplit(paste0(layers, ",."), ",", fixed = TRUE),
                                utils::head, -1L)))
  for (name in names) {
    if (!nzchar(name) || grepl(":", name, fixed = TRUE)) {
      abort_argument(sprintf(
        paste0("`layers`: \"%s\" is not a layer name; `layers` draws whole layers ",
               "(channels go in `channels` or `objective`)."),
        name
      ))
    }
  }
  as.list(names)
}

# A side, or c(height, width), in pixels.
check_visualize_size <- function(size) {
  if (!(is.numeric(size) && length(size) %in% 1:2 && !anyNA(size) && all(is.finite(size)) &&
        all(size >= 1) && all(size == round(size)) && all(size <= 4096))) {
    abort_argument(sprintf(
      paste0("`size` must be a whole number of pixels from 1 to 4096, or two, ",
             "c(height, width), not %s."),
      if (is.numeric(size) && length(size) == 2L) {
        sprintf("c(%s)", paste(format(size, scientific = FALSE, trim = TRUE), collapse = ", "))
      } else {
        describe_value(size)
      }
    ))
  }
  if (length(size) == 1L) as.integer(size) else as.list(as.integer(size))
}

# "standard", NULL or "name:range" strings.
check_transforms <- function(transforms) {
  if (is.null(transforms)) {
    return(NULL)
  }
  if (!is.character(transforms) || !length(transforms) || anyNA(transforms) ||
      !all(nzchar(transforms))) {
    abort_argument(sprintf(
      paste0("`transforms` must be \"standard\", NULL (none) or a character vector of ",
             "\"name:range\" strings such as c(\"pad:16\", \"rotate:-10-10\"), not %s."),
      describe_value(transforms)
    ))
  }
  if (identical(transforms, "standard")) transforms else as.list(transforms)
}

# Checked arguments -> values for Python: the picture as a NumPy array, objectives with a
# direction as pydream objectives.
visualize_to_python <- function(kwargs) {
  objective <- kwargs[["objective"]]
  if (isTRUE(attr(objective, "several"))) {
    kwargs[["objective"]] <- lapply(objective, objective_to_python)
  } else if (!is.null(objective)) {
    kwargs[["objective"]] <- objective_to_python(objective)
  }
  if (!is.null(kwargs[["image"]])) {
    kwargs[["image"]] <- image_to_python(kwargs[["image"]])
  }
  kwargs
}

objective_to_python <- function(x) {
  if (is_objective(x)) reticulate::r_to_py(x) else x
}

# The engine's pictures (H x W x 3, or N x H x W x 3) -> a "deep_dream" picture, or a
# "deep_dream_pictures" list of them named by their labels.
as_visualization <- function(pictures, labels, columns = NULL) {
  dims <- dim(pictures)
  if (length(dims) == 3L) {
    return(as_deep_dream(pictures))
  }
  each <- lapply(seq_len(dims[[1]]), function(i) {
    as_deep_dream(array(pictures[i, , , ], dim = dims[2:4]))
  })
  new_deep_dream_pictures(each, labels, columns)
}

new_deep_dream_pictures <- function(pictures, labels, columns = NULL) {
  names(pictures) <- labels
  structure(pictures, columns = columns, class = "deep_dream_pictures")
}

#' Print and draw several pictures
#'
#' Several pictures from [visualize()]: `print()` says how many, their size and their
#' labels; `plot()` draws them as a grid, each under its label.
#'
#' @param x A `"deep_dream_pictures"` list, as returned by [visualize()].
#' @param columns Pictures per row; `NULL`: those given to [visualize()], else a
#'   near-square grid at most 8 wide.
#' @param labels `TRUE` (the default) to write each picture's label above it.
#' @param ... Ignored by `print()`; passed on to the raster `plot()` method by `plot()`.
#' @return `x`, invisibly.
#' @examples
#' pictures <- structure(
#'   list("mixed4:0" = structure(array(runif(48, 0, 255), c(4, 4, 3)), class = "deep_dream"),
#'        "mixed4:1" = structure(array(runif(48, 0, 255), c(4, 4, 3)), class = "deep_dream")),
#'   class = "deep_dream_pictures"
#' )
#' pictures
#' plot(pictures)
#' @export
print.deep_dream_pictures <- function(x, ...) {
  dims <- dim(x[[1]])
  labels <- names(x)
  cat(sprintf("<deep_dream_pictures> %d pictures of %d x %d pixels (height x width)\n",
              length(x), dims[[1]], dims[[2]]))
  shown <- utils::head(labels, 12L)
  cat(strwrap(
    paste0("Labels: ", paste(shown, collapse = ", "),
           if (length(labels) > length(shown)) {
             sprintf(", ... (%d more)", length(labels) - length(shown))
           }),
    exdent = 2L
  ), sep = "\n")
  cat("Use plot() to see them; x[[1]] is the first picture.\n")
  invisible(x)
}

#' @rdname print.deep_dream_pictures
#' @export
plot.deep_dream_pictures <- function(x, columns = NULL, labels = TRUE, ...) {
  count <- length(x)
  columns <- check_whole(columns %||% attr(x, "columns") %||%
                           min(8L, ceiling(sqrt(count))), "columns", min = 1, max = 64)
  columns <- min(columns, count)
  check_flag(labels, "labels")
  old <- graphics::par(mfrow = c(ceiling(count / columns), columns),
                       mar = c(0.2, 0.2, if (labels) 1.4 else 0.2, 0.2))
  on.exit(graphics::par(old), add = TRUE)
  for (i in seq_len(count)) {
    plot(as.raster(x[[i]]), ...)
    if (labels) {
      graphics::title(names(x)[[i]], cex.main = 0.85, font.main = 1, line = 0.3)
    }
  }
  invisible(x)
}

#' @export
`[.deep_dream_pictures` <- function(x, i) {
  new_deep_dream_pictures(unclass(x)[i], names(x)[i], attr(x, "columns"))
}
