# Objectives beyond whole layers and channels: a neuron, a direction, channels ranked on
# the starting picture, all channels but some, the diversity of a batch (the values of
# pydream.objectives: neuron(), direction(), ranked_channels(), channels_except(),
# diversity()). Each but a direction has a layer key (settings-generated.R holds their
# grammar); a direction goes to Python as a pydream objective (r_to_py()). Nothing here
# needs Python.

#' One neuron of a layer as an objective
#'
#' The activation of one channel at one position of a layer, `activation[y, x, channel]`
#' in the layer's own positions at each octave. Its layer key is `"layer:channel@x,y"`
#' (`"mixed4:97@3,5"`), or `"mixed4:97@c"` for the centre (`width %/% 2`, `height %/% 2`).
#'
#' @param layer The layer's name (see [list_layers()]), a single string without `":"`.
#' @param channel The channel, a single whole number **counting from 0**.
#' @param x,y The column and row, whole numbers counting from 0 in the layer's own
#'   positions (its width and height at the picture's size), or `NULL` (the default) for
#'   the centre. A position outside the layer is an error when the dream starts, which
#'   gives the layer's size.
#' @return An objective (see [objective_layer()]).
#' @family objectives
#' @export
#' @examples
#' objective_neuron("mixed4", 97)
#' objective_neuron("mixed4", 97, x = 3, y = 5) * 2
#' as.list(objective_neuron("mixed4", 97, x = 3))
#' \dontrun{
#' deep_dream(example_image("jellyfish"), layers = objective_neuron("mixed4", 97))
#' }
objective_neuron <- function(layer, channel, x = NULL, y = NULL) {
  layer <- objective_layer_name(layer, "layer")
  channel <- objective_position(channel, "channel", "a channel of the layer", FALSE)
  x <- objective_position(x, "x", "a column of the layer", TRUE)
  y <- objective_position(y, "y", "a row of the layer", TRUE)
  place <- function(value) if (is.null(value)) layer_key_centre else format(value)
  where <- if (is.null(x) && is.null(y)) layer_key_centre else paste0(place(x), ",", place(y))
  objective_of(list(kind = "neuron", layer = layer, channel = channel, x = x, y = y,
                    key = paste0(layer, ":", channel, "@", where)))
}

#' A direction in a layer's activation space as an objective
#'
#' The mean over the layer's positions `p` of `sum(a_p * vector)`, `a_p` the layer's
#' activation vector at `p`, or with `cosine = TRUE` of its cosine similarity with
#' `vector` (lucid's `direction` and `direction_cossim`). The vector has one number per
#' channel of the layer, checked when the dream starts. A direction has no layer key: it
#' is printed with a label (`mixed4:direction#...`) and goes to the engine as the value
#' itself, so it stands wherever `layers` takes an objective, alone or with others, but
#' not in a named list of layer keys.
#'
#' @param layer The layer's name (see [list_layers()]), a single string without `":"`.
#' @param vector A numeric vector of finite numbers, one per channel of the layer.
#' @param cosine `TRUE`: the cosine similarity instead of the dot product.
#' @return An objective (see [objective_layer()]).
#' @family objectives
#' @export
#' @examples
#' toward <- objective_direction("mixed4", rep(c(1, -1), 384))
#' toward
#' objective_direction("mixed4", rep(c(1, -1), 384), cosine = TRUE) + objective_layer("mixed3")
#' \dontrun{
#' deep_dream(example_image("jellyfish"), layers = toward)
#' }
objective_direction <- function(layer, vector, cosine = FALSE) {
  layer <- objective_layer_name(layer, "layer")
  if (!is.numeric(vector) || length(vector) == 0L || anyNA(vector) || !all(is.finite(vector))) {
    abort_argument(sprintf(
      "`vector` must be a non-empty numeric vector of finite numbers (one per channel), not %s.",
      describe_value(vector)
    ))
  }
  cosine <- check_flag(cosine, "cosine")
  vector <- as.double(unname(vector))
  label <- layer_key_direction_prefixes[[if (cosine) 2L else 1L]]
  objective_of(list(kind = "direction", layer = layer, vector = vector, cosine = cosine,
                    key = paste0(layer, ":", label, vector_digest(vector, cosine))))
}

#' Channels ranked on the starting picture as an objective
#'
#' The `count` channels of a layer with the highest (`"strong"`), lowest (`"weak"`) or
#' most middling (`"avg"`) mean activation on the picture being dreamed, scored with the
#' dream's `loss` (neural-dream's `strong`, `weak` and `avg` channel choices). Its layer
#' key is `"mixed4:strong10"` (`"weak10"`, `"avg10"`). The engine chooses them once, on
#' the starting picture (seen at most 512 pixels on its longer side), and says which in a
#' message of class `"deepdream_note"`.
#'
#' `objective_channels_except()` is every channel of a layer but some (layer key
#' `"mixed4:~3,7"`), scored with the dream's `loss`.
#'
#' @param layer The layer's name (see [list_layers()]), a single string without `":"`.
#' @param mode `"strong"` (the default), `"weak"` or `"avg"`.
#' @param count How many channels, a whole number from 1.
#' @param channels The channels left out, whole numbers **counting from 0**.
#' @return An objective (see [objective_layer()]).
#' @family objectives
#' @export
#' @examples
#' objective_ranked_channels("mixed4", "strong", 10)
#' objective_ranked_channels("mixed4", "avg", 4) + objective_channels_except("mixed5", c(3, 7))
#' \dontrun{
#' # says which channels it chose
#' deep_dream(example_image("jellyfish"), layers = list("mixed4:strong4" = 1))
#' }
objective_ranked_channels <- function(layer, mode = c("strong", "weak", "avg"), count) {
  layer <- objective_layer_name(layer, "layer")
  if (identical(mode, eval(formals(objective_ranked_channels)$mode))) {
    mode <- rank_modes[[1]]
  }
  mode <- check_choice(mode, "mode", rank_modes)
  count <- check_whole(count, "count", min = 0)
  if (count == 0L) {
    abort_no_ranked_channel(layer, mode, "count")
  }
  objective_of(list(kind = "ranked", layer = layer, mode = mode, count = count,
                    key = paste0(layer, ":", mode, count)))
}

#' @rdname objective_ranked_channels
#' @export
objective_channels_except <- function(layer, channels) {
  layer <- objective_layer_name(layer, "layer")
  indices <- objective_indices(channels, "channels", "channel")
  objective_of(list(kind = "except", layer = layer, indices = indices,
                    key = paste0(layer, ":", layer_key_except_prefix, format_indices(indices))))
}

#' The diversity of a batch as an objective
#'
#' How different the pictures of a batch are at a layer (lucid's `diversity`, as a value
#' to maximise): minus the mean cosine similarity between the Gram matrices of the
#' pictures' activations. For feature visualisation of several pictures at once; a dream
#' of one picture scores it 0. Its layer key is `"mixed4:diversity"`.
#'
#' @param layer The layer's name (see [list_layers()]), a single string without `":"`.
#' @param weight The term's weight, a finite number (positive: more diverse).
#' @return An objective (see [objective_layer()]).
#' @family objectives
#' @export
#' @examples
#' objective_diversity("mixed4")
#' objective_channel("mixed4", 97) + objective_diversity("mixed4", weight = 0.5)
objective_diversity <- function(layer, weight = 1) {
  layer <- objective_layer_name(layer, "layer")
  weight <- check_number(weight, "weight")
  objective_of(list(kind = "diversity", layer = layer,
                    key = paste0(layer, ":", layer_key_diversity)), weight)
}

# A channel or a position: a single whole number from 0 (or NULL, the centre).
objective_position <- function(value, argument, what, allow_null) {
  if (is.null(value) && allow_null) {
    return(NULL)
  }
  if (!(is.numeric(value) && length(value) == 1L && !is.na(value) && is.finite(value) &&
        value == round(value) && value >= 0 && value <= max_layer_index)) {
    abort_argument(sprintf(
      "`%s` must be a single whole number from 0 (%s)%s, not %s.",
      argument, what, if (allow_null) " or NULL (the centre)" else "", describe_value(value)
    ))
  }
  as.integer(value)
}

# Ten hexadecimal digits that tell directions apart (their label; not the engine's).
vector_digest <- function(vector, cosine) {
  path <- tempfile()
  on.exit(unlink(path), add = TRUE)
  writeLines(c(sprintf("%.17g", vector), format(cosine)), path)
  substr(unname(tools::md5sum(path)), 1L, 10L)
}
