# Objectives as values: what a dream maximises, built from terms that add up. Each term
# has a layer key (its shorthand, as in `layers = list("mixed4:97" = 1)`), so an objective
# goes to Python as the named list of key = weight, which the engine parses into the same
# value as pydream.objectives builds. Nothing here needs Python.
#
# An objective is a list of class "deepdream_objective" with `terms` (one list per term:
# kind, layer, indices, key) and `weights` (a double vector named by the terms' keys, in
# the order they were added). A new kind of term needs a constructor here and a key form
# that the engine parses.

#' A whole layer as an objective
#'
#' The objective that amplifies everything a layer sees, scored with the dream's `loss`.
#' Objectives combine with `+` and `-`, and scale with `*` and `/` by a number (see
#' [objective_channel()] for an example); wherever `layers` is the dream's objective
#' ([deep_dream()], [dream_zoom()], [dream_video()], [dream_batch()],
#' [gradient_ascent()]) an objective may stand instead of the named list, or in a list of
#' them, one per octave. They are the values of the Python module `pydream.objectives`
#' (`layer()`, `channel()`, `class_logit()`), and the same as the named lists of layer
#' keys: `2 * objective_layer("mixed4")` dreams exactly as `list(mixed4 = 2)`.
#'
#' @param name The layer's name (see [list_layers()]), a single string without `":"`.
#' @return An objective: a value of class `"deepdream_objective"`, printed as the sum it
#'   stands for (`1 * mixed4`); `as.list()` gives the named list of layer key = weight.
#' @family objectives
#' @export
#' @examples
#' objective_layer("mixed4")
#' 2 * objective_layer("mixed4") + objective_layer("mixed5") / 2
#' as.list(objective_layer("mixed3") * 0.8)
objective_layer <- function(name) {
  name <- objective_layer_name(name, "name")
  objective_of(list(kind = "layer", layer = name, indices = NULL, key = name))
}

#' Channels of a layer as an objective
#'
#' The objective that amplifies some channels of a layer (scored together with the
#' dream's `loss`). Its layer key is `"layer:channels"`, e.g. `"mixed4:97"` or
#' `"mixed4:0-15"`. On a classification layer the channels are its classes (see
#' [objective_class_logit()]).
#'
#' @param layer The layer's name (see [list_layers()]), a single string without `":"`.
#' @param channels One channel number or several (e.g. `97`, `c(97, 120)` or `0:15`).
#'   Channel numbers are the engine's: **they count from 0** (the first channel is 0, not
#'   1), as in the layer keys; each must be below the layer's channel count, which the
#'   engine checks when it dreams. Repeats are dropped.
#' @return An objective (see [objective_layer()]).
#' @family objectives
#' @export
#' @examples
#' objective_channel("mixed4", 97)
#' objective_channel("mixed4", 0:15)
#' # objectives add and scale; equal terms merge, their weights adding up
#' dreamed <- 2 * objective_layer("mixed4") + objective_channel("mixed4", 97)
#' dreamed
#' dreamed - objective_channel("mixed4", 97) / 2
#' # the same as layers = list(mixed4 = 2, "mixed4:97" = 1):
#' as.list(dreamed)
#' \dontrun{
#' deep_dream(example_image("jellyfish"), layers = dreamed)
#' }
objective_channel <- function(layer, channels) {
  layer <- objective_layer_name(layer, "layer")
  indices <- objective_indices(channels, "channels", "channel")
  objective_of(list(kind = "channels", layer = layer, indices = indices,
                    key = paste0(layer, ":", format_indices(indices))))
}

#' Classes of a classification layer as an objective
#'
#' The objective that raises the pre-softmax logits of some classes (their mean): the
#' dream draws what the network would call them. `objective_class_logit(207)` is the key
#' `"predictions:207"` (ImageNet class 207, a golden retriever, for the models of the
#' registry, whose classification layer is `"predictions"`); `objective_class_logit("tabby")`
#' is the key `"predictions:tabby"`, class 281 (see [classify()] for the names the network
#' gives a picture). The model needs its classification top: the weights of the whole
#' network.
#'
#' @param classes One class number or several, **counting from 0** as the engine does
#'   (ImageNet classes are 0 to 999), or ImageNet class names: any of a class's WordNet
#'   names, in any case, with spaces or underscores (`"tabby"`, `"tabby cat"`,
#'   `"golden_retriever"`), possibly mixed with numbers written as strings
#'   (`c("tabby", "207")`). The engine checks the names when it dreams, and an unknown
#'   name is an error that suggests the nearest ones.
#' @param layer The classification (dense) layer. Class names select ImageNet classes of
#'   `"predictions"` only.
#' @return An objective (see [objective_layer()]).
#' @family objectives
#' @export
#' @examples
#' objective_class_logit(207)
#' objective_class_logit("tabby")
#' objective_class_logit(c("tabby cat", "207"))
#' objective_class_logit(c(1, 2), layer = "predictions") + objective_layer("mixed4") / 10
objective_class_logit <- function(classes, layer = "predictions") {
  layer <- objective_layer_name(layer, "layer")
  if (is.character(classes)) {
    return(objective_class_names(classes, layer))
  }
  indices <- objective_indices(classes, "classes", "class")
  objective_of(list(kind = "channels", layer = layer, indices = indices,
                    key = paste0(layer, ":", format_indices(indices))))
}

# Classes by name (and numbers written as strings): the key "predictions:tabby,207", whose
# form is checked here and whose names the engine checks.
objective_class_names <- function(classes, layer) {
  names <- unique(trimws(classes))
  if (length(names) == 0L || anyNA(names) || !all(nzchar(names)) ||
      any(grepl("[,:]", names))) {
    abort_argument(sprintf(
      paste0("`classes` must be class numbers or ImageNet class names (non-empty strings ",
             "without \",\" or \":\", e.g. \"tabby\"), not %s."),
      describe_value(classes)
    ))
  }
  if (layer != classification_layer && !all(grepl("^[0-9]+$", names))) {
    abort_argument(sprintf(
      paste0("`classes`: names select ImageNet classes of \"%s\", not of \"%s\"; give ",
             "class numbers for another layer."),
      classification_layer, layer
    ))
  }
  key <- paste0(layer, ":", paste(names, collapse = ","))
  parse_layer_key(key, "classes")
  objective_of(list(kind = "channels", layer = layer, indices = NULL, classes = names,
                    key = key))
}

#' Combine, scale and show objectives
#'
#' Objectives add (`a + b`) and subtract (`a - b`, `-a`); a term in both keeps its first
#' place and the sum of its weights. They scale by a single finite number (`2 * a`,
#' `a * 2`, `a / 2`). `format()` and `print()` show the sum, each weight written out
#' (`2 * mixed4 + 1 * mixed4:97`); `as.list()` gives the named list of layer key = weight
#' that the objective stands for (a direction, which has no layer key, is there under its
#' label, `mixed4:direction#...`, which `layers` does not take as a key: give the
#' objective itself). `print()` also shows each direction's vector.
#'
#' @param e1,e2 Objectives, or an objective and a number for `*` and `/`.
#' @param x An objective.
#' @param ... Not used.
#' @return `Ops`: an objective. `format()`: a single string. `print()`: `x`, invisibly.
#'   `as.list()`: a named list of doubles.
#' @family objectives
#' @name objective_ops
#' @examples
#' mixed <- objective_layer("mixed3") + 2 * objective_layer("mixed5")
#' format(mixed / 2)
#' -mixed
#' as.list(mixed - objective_layer("mixed3"))
NULL

#' @rdname objective_ops
#' @export
Ops.deepdream_objective <- function(e1, e2) {
  if (missing(e2)) {
    if (.Generic == "+") {
      return(e1)
    }
    if (.Generic == "-") {
      return(scale_objective(e1, -1))
    }
  }
  if (.Generic %in% c("+", "-")) {
    if (!is_objective(e1) || !is_objective(e2)) {
      abort_argument(sprintf(
        paste0("An objective can only be combined with another objective by `%s`, not with ",
               "%s; scale it with `*` or `/` instead."),
        .Generic, describe_value(if (is_objective(e1)) e2 else e1)
      ))
    }
    return(combine_objectives(e1, if (.Generic == "-") scale_objective(e2, -1) else e2))
  }
  if (.Generic == "*" && xor(is_objective(e1), is_objective(e2))) {
    return(if (is_objective(e1)) {
      scale_objective(e1, objective_factor(e2, "*"))
    } else {
      scale_objective(e2, objective_factor(e1, "*"))
    })
  }
  if (.Generic == "/" && is_objective(e1) && !is_objective(e2)) {
    divisor <- objective_factor(e2, "/")
    if (divisor == 0) {
      abort_argument("An objective cannot be divided by 0.")
    }
    return(scale_objective(e1, divisor, divide = TRUE))
  }
  abort_argument(sprintf(
    paste0("`%s` does not apply to these values: objectives add and subtract (`+`, `-`) ",
           "and scale by a number (`*`, and `/` by a number)."),
    .Generic
  ))
}

#' @rdname objective_ops
#' @export
format.deepdream_objective <- function(x, ...) {
  text <- ""
  for (key in names(x$weights)) {
    weight <- x$weights[[key]]
    term <- paste0(sprintf("%.15g", abs(weight)), " * ", key)
    text <- if (!nzchar(text)) {
      paste0(if (weight < 0) "-" else "", term)
    } else {
      paste0(text, if (weight < 0) " - " else " + ", term)
    }
  }
  text
}

#' @rdname objective_ops
#' @export
print.deepdream_objective <- function(x, ...) {
  cat("<deepdream objective> ", format(x), "\n", sep = "")
  for (term in x$terms) {
    if (identical(term$kind, "direction")) {
      shown <- vapply(utils::head(term$vector, 3L), format, character(1), digits = 4)
      cat(sprintf(
        "  %s: %s of %s along c(%s%s), %d numbers\n", term$key,
        if (term$cosine) "the cosine similarity" else "the dot product", term$layer,
        paste(shown, collapse = ", "), if (length(term$vector) > 3L) ", ..." else "",
        length(term$vector)
      ))
    }
  }
  invisible(x)
}

#' @rdname objective_ops
#' @export
as.list.deepdream_objective <- function(x, ...) {
  as.list(x$weights)
}

is_objective <- function(x) inherits(x, "deepdream_objective")

# `layers` as given -> the same with every objective as its named list of key = weight:
# an objective, or an unnamed list (one per octave) holding objectives. An objective with
# a direction, which has no layer key, stays an objective: r_to_py() makes it a pydream
# objective on its way to Python.
objective_layers <- function(layers) {
  if (is_objective(layers)) {
    return(as_layer_keys(layers))
  }
  if (is.list(layers) && !is.data.frame(layers) && is.null(names(layers))) {
    for (i in seq_along(layers)) {
      if (is_objective(layers[[i]])) {
        layers[[i]] <- as_layer_keys(layers[[i]])
      }
    }
  }
  layers
}

as_layer_keys <- function(x) {
  if (has_direction(x)) x else as.list(x)
}

has_direction <- function(x) {
  any(vapply(x$terms, function(term) identical(term$kind, "direction"), logical(1)))
}

#' @exportS3Method reticulate::r_to_py
r_to_py.deepdream_objective <- function(x, convert = FALSE) {
  terms <- lapply(names(x$weights), function(key) {
    term <- x$terms[[key]]
    list(kind = term$kind, layer = term$layer, key = key, weight = x$weights[[key]],
         vector = as.list(term$vector), cosine = isTRUE(term$cosine))
  })
  python_bridge()$objective(terms)
}

objective_of <- function(term, weight = 1) {
  terms <- list(term)
  weights <- as.double(weight)
  names(terms) <- names(weights) <- term$key
  structure(list(terms = terms, weights = weights), class = "deepdream_objective")
}

# The terms of `a`, then those of `b` not in `a`; the weights of equal keys add up.
combine_objectives <- function(a, b) {
  terms <- a$terms
  weights <- a$weights
  for (key in names(b$weights)) {
    if (key %in% names(weights)) {
      weights[[key]] <- weights[[key]] + b$weights[[key]]
    } else {
      terms[[key]] <- b$terms[[key]]
      weights[[key]] <- b$weights[[key]]
    }
  }
  structure(list(terms = terms, weights = weights), class = "deepdream_objective")
}

scale_objective <- function(x, factor, divide = FALSE) {
  x$weights <- if (divide) x$weights / factor else x$weights * factor
  if (!all(is.finite(x$weights))) {
    abort_argument("Scaling the objective made a weight that is not a finite number.")
  }
  x
}

objective_factor <- function(value, operator) {
  if (!(is.numeric(value) && length(value) == 1L && !is.na(value) && is.finite(value))) {
    abort_argument(sprintf(
      "An objective can only be scaled by a single finite number with `%s`, not by %s.",
      operator, describe_value(value)
    ))
  }
  as.double(value)
}

objective_layer_name <- function(name, argument) {
  check_string(name, argument)
  if (grepl(":", name, fixed = TRUE)) {
    abort_argument(sprintf(
      paste0("`%s`: \"%s\" is a layer key, not a layer name; give the channels apart, ",
             "e.g. `objective_channel(\"mixed4\", 97)`."),
      argument, name
    ))
  }
  parse_layer_key(name, argument)$layer
}

# Channel or class numbers (whole, from 0) -> integers without repeats, in order.
objective_indices <- function(values, argument, noun) {
  if (!is.numeric(values) || length(values) == 0L || anyNA(values) ||
      any(values != round(values)) || any(!is.finite(values))) {
    abort_argument(sprintf(
      "`%s` must be one or more whole %s numbers counting from 0, not %s.",
      argument, noun, describe_value(values)
    ))
  }
  if (any(values < 0)) {
    abort_argument(sprintf(
      "`%s`: %s numbers count from 0 (the engine's first %s is 0), not %s.",
      argument, noun, noun, format(min(values))
    ))
  }
  if (any(values > max_layer_index)) {
    abort_argument(sprintf(
      "`%s`: %s %s is beyond any network.", argument, noun, format(max(values), scientific = FALSE)
    ))
  }
  unique(as.integer(values))
}

# Indices in their shortest key form (as pydream.objectives.format_indices): runs of three
# or more as FIRST-LAST, the order kept. c(0, 1, 2, 3) -> "0-3"; c(97, 120) -> "97,120".
format_indices <- function(indices) {
  breaks <- c(TRUE, diff(indices) != 1L)
  runs <- split(indices, cumsum(breaks))
  parts <- vapply(runs, function(run) {
    if (length(run) >= 3L) {
      paste0(run[[1]], "-", run[[length(run)]])
    } else {
      paste(run, collapse = ",")
    }
  }, character(1))
  paste(parts, collapse = ",")
}
