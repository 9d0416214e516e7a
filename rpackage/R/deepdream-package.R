#' deepdream: DeepDream images from R
#'
#' DeepDream amplifies what a convolutional network trained on ImageNet "sees" in a
#' picture: eyes, feathers, pagodas and dog faces grow out of clouds and jellyfish. This
#' package makes such pictures from R, with the Python engine pydream (Keras 3 and
#' TensorFlow) doing the computation through reticulate.
#'
#' * [deep_dream()] dreams a picture in one call, with layer contributions given as a
#'   named list (`list(mixed2 = 0.2, mixed3 = 0.8)`) or a [preset][dream_presets()];
#'   the result is a `"deep_dream"` array that [plot()][plot.deep_dream()] draws.
#' * Beyond whole layers: channels (`list("mixed4:97" = 1)`), ImageNet classes
#'   (`"predictions:207"`), one layer list per octave, a `guide` picture, a `mask`, the
#'   "laplacian" normalisation, gradient `smoothing`, and Keras model objects as `model`.
#' * [dream_gallery()] dreams one small picture per layer or channel on a labelled sheet.
#' * [dream_zoom()] makes an endless-zoom animation (GIF, WebP, MP4 or a folder of frames);
#'   [dream_video()] dreams a video steadily, each frame starting from the previous dream
#'   moved along the optical flow. Both resume an interrupted run where it stopped.
#' * [list_layers()], [dream_presets()] and [example_image()] help choose the settings.
#' * The building blocks [preprocess_image()], [resize_img()], [gradient_ascent()],
#'   [octave_shapes()], [deprocess_image()] and [save_img()] follow the method step by step.
#' * [dream_app()] explores the settings in a Shiny app (the RStudio add-in "Dream a
#'   picture"), and shows the [deep_dream()] call that makes the dream it shows.
#' * magick images are accepted wherever a picture is; [as_magick()] converts a dream.
#' * [install_deepdream()] sets up Python, from the engine's sources the package carries;
#'   [pydream_available()] checks it.
#'
#' Every function has the name and arguments of its Python counterpart in pydream, so
#' code moves between the two languages line by line. Integers are whole numbers such as
#' `20L` or `20`; `NULL` is Python's `None`.
#'
#' @section Python:
#' The engine is loaded the first time it is needed, never when the package is loaded. Set
#' the environment variable `DEEPDREAM_PYTHON` to the Python (or virtual environment) to
#' use, or run [install_deepdream()] once. See [install_deepdream()] for the order in which
#' Python is looked for.
#'
#' @keywords internal
"_PACKAGE"
