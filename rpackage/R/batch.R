#' Dream many pictures into a folder
#'
#' Dreams every picture of `inputs` with the same settings and writes each dream into
#' `output_dir`, building the network once. The arguments and their defaults are those of
#' the Python function `pydream.dream_batch()` and of the `pydream batch` command.
#'
#' @section Names, resuming and failures:
#' Each dream is named after its picture: the same file name, or the same stem with
#' `.png` where the picture's format cannot be written. A dream already in `output_dir`
#' is skipped, so calling `dream_batch()` again after an interruption (Esc, a crash)
#' dreams only what is missing; `overwrite = TRUE` dreams everything again. A picture that
#' cannot be read or dreamed gives a warning naming it and the others go on. Problems that
#' concern every picture (an unknown setting or layer, a folder without pictures, two
#' pictures that would get the same name, an output folder that cannot be written) are an
#' error before anything is dreamed.
#'
#' @section Workers:
#' With `workers = "auto"` (the default) on a computer without a GPU, several pictures are
#' dreamed at once by worker processes, each with its own copy of the network and a share
#' of the processor's cores: one worker per core up to 4 cores, beyond that one per 4
#' cores, fewer when memory is short or there are fewer pictures. One picture keeps a
#' processor only partly busy, so this is faster: on a 2-core computer, 8 photos of 384 x
#' 288 pixels took 42 s with 2 workers against 52 s with 1. Where a GPU may compute
#' (an NVIDIA GPU is visible, or a Mac with Apple silicon runs PyTorch or JAX) "auto" means
#' one worker, in R's own Python. A worker computes with fewer threads, so its rounding
#' differs: its dream is the same in kind as [deep_dream()]'s but not to the last grey
#' level (`workers = 1` gives the same). Each worker holds a network in memory (about 1
#' GB for InceptionV3).
#'
#' @section Ray:
#' `ray = "local"` dreams on a Ray runtime started for the call, and an address such as
#' `"head-node:6379"` on that Ray cluster: one worker per GPU of the cluster (or per 4
#' CPUs), each reading the pictures and writing the dreams itself, so on a cluster
#' `inputs` and `output_dir` must be on a file system every node sees at the same path.
#' It needs the engine's "ray" extra: `pip install 'pydream-keras[ray]'` in the Python
#' that deepdream uses.
#'
#' @param inputs The pictures: a character vector of picture files, folders (their
#'   pictures, sorted by name) and globs (`"photos/*.jpg"`), in any mix. A file that does
#'   not exist is reported as a failure of its own; a folder without pictures or a glob
#'   that matches nothing is an error.
#' @param output_dir The folder to write the dreams into; created if missing.
#' @param layers Layer contributions for every picture, as in [deep_dream()]; `NULL` (the
#'   default) leaves them to `preset`, or to the engine's default layers.
#' @param preset Name of a preset for the settings not given (see [dream_presets()]).
#' @param ... Settings of [deep_dream()] for every picture, by name, checked as there:
#'   `weights`, `step`, `num_octave`, `octave_scale`, `iterations`, `seed`, `guide`,
#'   `mask`, ... (every setting but `layers`, `preset`, `save_octaves`, `output`,
#'   `overwrite` and `callback`).
#' @param overwrite Dream again the pictures whose dream is already in `output_dir`.
#' @param progress Show a progress bar counting the pictures. The engine draws it on the
#'   console's error stream, as the `pydream` command does.
#' @param workers How many pictures are dreamed at once by worker processes: `"auto"` or a
#'   whole number of at least 1 (see "Workers"; `1` dreams them one by one in R's Python).
#'   Not used with `ray`.
#' @param ray `NULL` (the default) dreams on this computer; `"local"` or the address of a
#'   Ray cluster dreams on Ray (see "Ray").
#' @return A data frame with one row per picture, in the order of `inputs`, invisibly:
#'   `input` and `output` (file paths), `status` (`"dreamed"`, `"skipped"` or `"failed"`)
#'   and `message` (why a picture failed, else `""`). A message gives the counts.
#' @seealso [deep_dream()] for the settings and one picture; [dream_presets()].
#' @examples
#' if (pydream_available()) {
#'   photos <- file.path(tempdir(), "photos")
#'   dir.create(photos, showWarnings = FALSE)
#'   small <- deprocess_image(resize_img(preprocess_image(example_image("jellyfish")),
#'                                       c(60L, 80L)))
#'   save_img(small, file.path(photos, "a.png"))
#'   save_img(small[, 80:1, ], file.path(photos, "b.png"))
#'   # weights = NULL (an untrained network) keeps the example quick and offline
#'   done <- dream_batch(photos, file.path(tempdir(), "dreams"), layers = list(mixed3 = 1),
#'                       weights = NULL, num_octave = 1L, iterations = 2L, border = 0L,
#'                       workers = 1L)
#'   done
#' }
#' \dontrun{
#' # A folder of holiday photos with the R blog's jellyfish settings:
#' dream_batch("holiday/*.jpg", "holiday-dreams", preset = "jellyfish")
#' }
#' @export
dream_batch <- function(inputs, output_dir, layers = NULL, preset = NULL, ...,
                        overwrite = FALSE, progress = interactive(), workers = "auto",
                        ray = NULL) {
  inputs <- check_batch_inputs(inputs)
  output_dir <- path.expand(check_string(output_dir, "output_dir"))
  settings <- check_dots_settings(
    list(...), "dream_batch", for_what = "for every picture",
    excluded = not_in_dots_settings, also = list(layers = layers, preset = preset)
  )
  kwargs <- list(
    overwrite = check_flag(overwrite, "overwrite"),
    progress = check_flag(progress, "progress"),
    workers = check_workers(workers)
  )
  kwargs["ray"] <- list(check_string(ray, "ray", allow_null = TRUE))

  kwargs <- c(kwargs, settings_to_python(settings))
  # Worker processes (and Ray's) start from this process: without R's library folders
  # first in LD_LIBRARY_PATH, or a Python with its own libpython loads the system's.
  without_r_library_path()
  result <- call_pydream("batch", list(as.list(inputs), output_dir), kwargs)
  message(result$summary)
  rows <- data.frame(
    input = as.character(unlist(result$input)),
    output = as.character(unlist(result$output)),
    status = as.character(unlist(result$status)),
    message = as.character(unlist(result$message)),
    stringsAsFactors = FALSE
  )
  invisible(rows)
}

# inputs: a non-empty character vector without NA or empty strings -> expanded paths.
check_batch_inputs <- function(x) {
  if (!(is.character(x) && length(x) >= 1L && !anyNA(x) && all(nzchar(x)))) {
    abort_argument(sprintf(
      paste0("`inputs` must be a character vector of picture files, folders or globs ",
             "(such as \"photos/*.jpg\"), not %s."),
      describe_value(x)
    ))
  }
  path.expand(x)
}

# workers: "auto" or a whole number of at least 1 -> "auto" or an integer.
check_workers <- function(x) {
  if (is.character(x) && length(x) == 1L && identical(unname(x), "auto")) {
    return("auto")
  }
  good <- is.numeric(x) && length(x) == 1L && !is.na(x) && is.finite(x) &&
    x == round(x) && x >= 1 && x <= 1024
  if (!good) {
    abort_argument(sprintf(
      "`workers` must be \"auto\" or a single whole number from 1 to 1024, not %s.",
      describe_value(x)
    ))
  }
  as.integer(x)
}
