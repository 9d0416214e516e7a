#' Layers a model offers
#'
#' The names of the layers whose activations a dream can amplify, for use as the names of
#' `layers` in [deep_dream()]. InceptionV3's are its eleven "mixed" blocks, `mixed0` to
#' `mixed10`: low numbers give strokes and textures, high numbers eyes, faces and animals.
#'
#' A layer key in `layers` may also select channels of a layer (`"mixed4:97"`,
#' `"mixed4:0-15"`) or, with the classification top, ImageNet classes (`"predictions:207"`);
#' see [deep_dream()].
#'
#' @param model The network: a model name ("inception_v3", the default, "vgg16", "vgg19",
#'   "xception", "resnet50", "mobilenet_v2", "inception_resnet_v2") or a Keras model object
#'   (a Python `keras.Model` reached through reticulate), whose layers are all listed.
#' @param all_layers If `TRUE`, list every layer of the network (convolutions, pools, ...),
#'   not only the blocks a dream usually uses; any of them can be used in `layers`.
#' @return A character vector of layer names.
#' @examples
#' if (pydream_available()) {
#'   list_layers()
#'   list_layers("vgg16")
#'   # a Keras model object
#'   keras <- reticulate::import("keras")
#'   list_layers(keras$applications$VGG16(include_top = FALSE, weights = NULL))
#' }
#' @export
list_layers <- function(model = "inception_v3", all_layers = FALSE) {
  model <- check_model(model)
  all_layers <- check_flag(all_layers, "all_layers")
  as.character(unlist(call_pydream("list_layers", list(model), list(all_layers = all_layers))))
}

#' Dream presets
#'
#' The named settings [deep_dream()] accepts as `preset`: "jellyfish" (the R blog post:
#' step 0.025, 5 octaves of scale 1.4, 20 iterations, `max_loss` 10, no border crop),
#' "chollet" (the Keras Python post), "tutorial" (the TensorFlow tutorial), "acid" and
#' "doggos" (VGG16 with L-BFGS). Arguments given to [deep_dream()] win over the preset.
#'
#' @return A named list with one element per preset, each a named list of the settings it
#'   sets (its `layers` a named list of layer contributions), with class
#'   "deep_dream_presets".
#' @examples
#' if (pydream_available()) {
#'   presets <- dream_presets()
#'   names(presets)
#'   presets$jellyfish$layers
#' }
#' @export
dream_presets <- function() {
  if (is.null(.state$presets)) {
    .state$presets <- from_python(python_bridge()$presets())
  }
  structure(.state$presets, class = "deep_dream_presets")
}

#' @export
print.deep_dream_presets <- function(x, ...) {
  for (name in names(x)) {
    settings <- x[[name]]
    layers <- settings$layers
    rest <- settings[setdiff(names(settings), "layers")]
    cat(sprintf(
      "%s: layers %s\n  %s\n", name,
      paste0(names(layers), " = ", format_values(layers), collapse = ", "),
      paste0(names(rest), " = ", format_values(rest), collapse = ", ")
    ))
  }
  invisible(x)
}

format_values <- function(values) {
  vapply(values, function(value) {
    if (is.null(value)) "NULL" else if (is.character(value)) sprintf("\"%s\"", value)
    else format(value)
  }, character(1))
}

#' Example photos
#'
#' A local path to one of the photos of the vignettes: "jellyfish" (spotted jellyfish in an
#' aquarium, by RaDu GaLaN, CC BY-SA 3.0) or "shanghai" (Pudong skyline, by King of Hearts,
#' CC BY-SA 4.0). The photo is taken from the folder named by the environment variable
#' `PYDREAM_IMAGES` if it holds it, else from the cache (`PYDREAM_CACHE`, by default
#' `~/.cache/pydream`), else it is downloaded once from its public source into the cache.
#' Dreams made from these photos are adaptations and fall under the same licences.
#'
#' @param name "jellyfish" or "shanghai".
#' @return The path of the photo.
#' @examples
#' if (pydream_available()) {
#'   path <- example_image("shanghai")
#' }
#' @export
example_image <- function(name) {
  name <- check_string(name, "name")
  sync_environment(c("PYDREAM_IMAGES", "PYDREAM_CACHE"))
  call_pydream("example_image", list(name))
}

# Python reads os.environ once, when it starts: pass on changes made with Sys.setenv().
sync_environment <- function(names) {
  bridge <- python_bridge()
  for (name in names) {
    value <- Sys.getenv(name, unset = NA)
    bridge$set_environment(name, if (is.na(value)) NULL else value)
  }
  invisible()
}
