#' What the network sees in a picture
#'
#' The `top` most probable ImageNet classes of a picture, most probable first: the picture
#' is resized to `size` x `size` pixels, preprocessed for the model and passed through the
#' network with its classification top; the probabilities are the softmax of the
#' `"predictions"` layer's logits. The class numbers and names are those
#' [objective_class_logit()] and the layer keys take (`"predictions:281"`,
#' `"predictions:tabby"`). The model needs its classification top: the weights of the
#' whole network (`weights = "imagenet"`); a weights file without the top is an error of
#' class `"deepdream_weights_error"`.
#'
#' @param image A picture: a file path, an array of 0..255 values (height x width x 3), a
#'   `deep_dream` result, a magick image or a raster (as [deep_dream()] takes).
#' @param top How many classes, a whole number from 1 (at most the classifier's count).
#' @param model A model name such as `"inception_v3"` or a Keras model object with a dense
#'   `"predictions"` layer (see [deep_dream()]).
#' @param weights `"imagenet"`, NULL (an untrained network) or the path of a weights file
#'   of the whole model.
#' @param size The side in pixels of the square the picture is resized to, a whole number
#'   from 1 (299: InceptionV3's own input size).
#' @return A data frame with one row per class, most probable first: `index` (the class
#'   number, **counting from 0** as the engine does), `name` (its ImageNet name; `"class N"`
#'   for a classifier of another size than 1000 classes) and `probability`.
#' @export
#' @examples
#' \dontrun{
#' classify(example_image("jellyfish"), top = 3)
#' # dream toward the best class
#' best <- classify(example_image("jellyfish"), top = 1)
#' deep_dream(example_image("jellyfish"), layers = objective_class_logit(best$index))
#' }
classify <- function(image, top = 5, model = "inception_v3", weights = "imagenet",
                     size = 299L) {
  image <- check_image(image)
  kwargs <- list(
    top = check_whole(top, "top", min = 1),
    model = check_model(model),
    weights = check_weights(weights),
    size = check_whole(size, "size", min = 1)
  )
  found <- call_pydream("classify", list(image_to_python(image)), kwargs)
  data.frame(
    index = as.integer(unlist(found$index)),
    name = as.character(unlist(found$name)),
    probability = as.double(unlist(found$probability)),
    stringsAsFactors = FALSE
  )
}
