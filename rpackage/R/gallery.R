#' A contact sheet of layers or channels
#'
#' Dreams one small picture per layer (or per channel) and lays them out on a labelled
#' sheet, to choose what to dream: the first tile is the picture itself, labelled "photo"
#' (`photo = FALSE` leaves it out), then one dream per entry, each with the objective `list(<entry> = 1)` and every other
#' setting shared. The network is built once for the whole sheet. The arguments are those
#' of the Python function `pydream.dream_gallery()`.
#'
#' @inheritParams deep_dream
#' @inheritParams dream-settings
#' @param layers Layer keys to dream, one tile each: a character vector such as
#'   `c("mixed3", "mixed4", "mixed5")`. A key may select channels (`"mixed4:97,120"`: both
#'   channels dreamed together in one tile) or classes (see [deep_dream()]). Without
#'   `layers` and `channels`: every layer that [list_layers()] shows for the model.
#' @param channels Channel ranges, each channel a tile of its own: a character vector such
#'   as `"mixed4:0-15"` or `c("mixed4:0-7", "mixed5:3")`; the tiles follow those of
#'   `layers`.
#' @param preset A preset for the shared settings (see [dream_presets()]); its layers are
#'   not used.
#' @param size Pixels of each dream's longer side (the picture is shrunk to it first), a
#'   whole number from 160 to 2048 (smaller dreams leave the deeper layers too few
#'   positions to dream).
#' @param columns Tiles per row, a whole number from 1 to 64; `NULL` (the default) makes a
#'   near-square grid at most 8 tiles wide.
#' @param output A file to write the sheet to (a PNG keeps the entries and settings in its
#'   metadata), written atomically.
#' @param overwrite Allow `output` to be the input file itself.
#' @param progress Show a progress bar counting the dreams, with the key being dreamed. The
#'   engine draws it on the console's error stream, as the `pydream` command does.
#' @param photo If `TRUE` (the default), the sheet starts with the picture itself.
#' @param ... Settings of [deep_dream()] shared by every tile, by name, checked as there:
#'   `model`, `weights`, `step`, `num_octave`, `iterations`, `guide`, `mask`, `normalize`,
#'   ... (every setting but `layers`, `save_octaves` and `callback`). `border` defaults to
#'   `r dream_function_defaults$dream_gallery$border` here (unless a preset sets it): the
#'   deep layers of a small dream have few positions, and a crop of
#'   `r dream_schema$border$default` would leave them almost nothing.
#' @return The sheet: an array of dim height x width x 3 with values from 0 to 255 and class
#'   `c("deep_dream_gallery", "deep_dream")`, whose attribute "entries" holds the keys of
#'   the dreamed tiles, in order (row by row), and attribute "photo" whether the sheet
#'   starts with the picture. `plot()` draws it, `print()`
#'   describes it.
#' @seealso [deep_dream()] for one dream with the chosen layers; [list_layers()].
#' @examples
#' if (pydream_available()) {
#'   # weights = NULL (an untrained network) keeps the example quick and offline
#'   sheet <- dream_gallery(example_image("jellyfish"), layers = c("mixed3", "mixed5"),
#'                          channels = "mixed4:0-1", size = 160L, weights = NULL,
#'                          num_octave = 1L, iterations = 2L, border = 0L)
#'   sheet
#'   plot(sheet)
#' }
#' \dontrun{
#' # The first 16 channels of mixed4 with the real weights, written to a file:
#' dream_gallery(example_image("jellyfish"), channels = "mixed4:0-15",
#'               output = "mixed4.png", iterations = 10L)
#' }
#' @export
dream_gallery <- function(image, layers = NULL, channels = NULL, preset = NULL, size = 256L,
                          columns = NULL, output = NULL, overwrite = FALSE,
                          progress = interactive(), photo = TRUE, ...) {
  settings <- check_dots_settings(
    list(...), "dream_gallery", for_what = "that the tiles share",
    excluded = not_in_dots_settings,
    excluded_text = c("`layers`", "`save_octaves`", "`callback`"),
    also = list(preset = preset)
  )
  layers <- check_layer_keys(layers, "layers")
  kwargs <- list()
  kwargs["channels"] <- list(check_layer_keys(channels, "channels", channels = TRUE))
  kwargs$size <- check_whole(size, "size", min = 160, max = 2048)
  kwargs["columns"] <- list(check_whole(columns, "columns", min = 1, max = 64,
                                        allow_null = TRUE))
  kwargs["output"] <- list(check_output_path(output, "output"))
  kwargs$overwrite <- check_flag(overwrite, "overwrite")
  kwargs$progress <- check_flag(progress, "progress")
  kwargs$photo <- check_flag(photo, "photo")
  image <- check_image(image)

  kwargs <- c(kwargs, settings_to_python(settings))
  result <- call_pydream("gallery", list(image_to_python(image), layers), kwargs)
  new_deep_dream_gallery(result$sheet, as.character(unlist(result$entries)), kwargs$photo)
}

new_deep_dream_gallery <- function(sheet, entries, photo = TRUE) {
  structure(sheet, entries = entries, photo = photo,
            class = c("deep_dream_gallery", "deep_dream"))
}

#' Print a contact sheet
#'
#' Shows the size of a sheet made by [dream_gallery()] and the keys of its tiles instead
#' of its pixel values.
#'
#' @param x A `"deep_dream_gallery"` array, as returned by [dream_gallery()].
#' @param ... Ignored.
#' @return `x`, invisibly.
#' @examples
#' sheet <- structure(array(24L, c(30, 60, 3)), entries = c("mixed3", "mixed4:0"),
#'                    class = c("deep_dream_gallery", "deep_dream"))
#' sheet
#' @export
print.deep_dream_gallery <- function(x, ...) {
  dims <- dim(x)
  entries <- attr(x, "entries")
  with_photo <- !isFALSE(attr(x, "photo"))
  cat(sprintf(
    "<deep_dream_gallery> %d x %d pixels (height x width): %s%d dream%s\n",
    dims[[1]], dims[[2]], if (with_photo) "the photo and " else "", length(entries),
    if (length(entries) == 1L) "" else "s"
  ))
  shown <- utils::head(entries, 12L)
  if (length(entries)) {
    cat(strwrap(
      paste0("Tiles: ", if (with_photo) "photo, " else "", paste(shown, collapse = ", "),
             if (length(entries) > length(shown)) {
               sprintf(", ... (%d more)", length(entries) - length(shown))
             }),
      exdent = 2L
    ), sep = "\n")
  }
  cat("Use plot() to see it; attr(x, \"entries\") gives the keys of the tiles.\n")
  invisible(x)
}
