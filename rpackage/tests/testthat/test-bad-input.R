# Bad input from R. Every case must end in an R error that says what is wrong in one line
# (no Python traceback), leave the input file's bytes as they were and write no file. The
# cases that R can judge run without Python; the others use an untrained network
# (weights = NULL) and tiny pictures to stay quick.

# A fresh input folder and output folder for one case.
bad_input_folders <- function() {
  folders <- c(input = tempfile("input"), output = tempfile("output"))
  for (folder in folders) {
    dir.create(folder)
  }
  folders
}

# A small RGB picture written with the png package (no Python needed).
write_test_png <- function(path, height = 80L, width = 80L) {
  png::writePNG(synthetic_image(height, width) / 255, path)
  path
}

# The first `share` of a file's bytes, written over it (a download cut short).
truncate_file <- function(path, share = 0.5) {
  bytes <- readBin(path, "raw", n = file.size(path))
  writeBin(bytes[seq_len(floor(length(bytes) * share))], path)
  path
}

# A PNG that is only a signature and a header claiming `width` x `height` pixels.
write_png_header <- function(path, width, height) {
  be32 <- function(x) {
    as.raw(c(x %/% 2^24, (x %/% 2^16) %% 256, (x %/% 2^8) %% 256, x %% 256))
  }
  # bitwXor() works on 32-bit signed integers: XOR the two 16-bit halves separately
  xor32 <- function(a, b) {
    bitwXor(a %/% 65536, b %/% 65536) * 65536 + bitwXor(a %% 65536, b %% 65536)
  }
  crc32 <- function(bytes) {
    crc <- 0xFFFFFFFF
    for (byte in as.integer(bytes)) {
      crc <- xor32(crc, byte)
      for (bit in 1:8) {
        low <- crc %% 2
        crc <- crc %/% 2
        if (low == 1) crc <- xor32(crc, 0xEDB88320)
      }
    }
    xor32(crc, 0xFFFFFFFF)
  }
  ihdr <- c(charToRaw("IHDR"), be32(width), be32(height),
            as.raw(c(8, 2, 0, 0, 0)))  # 8 bits, RGB, deflate, no filter, no interlace
  signature <- as.raw(c(0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A))
  writeBin(c(signature, be32(13), ihdr, be32(crc32(ihdr))), path)
  path
}

# Run `code` (lazily), expect an error matching `regexp` and check that it was clean:
# one line without Python's traceback, the input file unchanged and no new file in `folders`.
expect_clean_failure <- function(code, regexp, input, folders) {
  before_md5 <- if (file.exists(input)) unname(tools::md5sum(input))
  before_files <- lapply(folders, list.files, all.files = TRUE, recursive = TRUE)
  err <- expect_error(code, regexp)
  expect_s3_class(err, "deepdream_error")
  text <- conditionMessage(err)
  expect_false(grepl("\n", text, fixed = TRUE), label = paste("a line break in:", text))
  expect_false(grepl("Traceback|<class|File \"", text), label = paste("Python in:", text))
  if (is.null(before_md5)) {
    expect_false(file.exists(input))
  } else {
    expect_identical(unname(tools::md5sum(input)), before_md5)
  }
  after_files <- lapply(folders, list.files, all.files = TRUE, recursive = TRUE)
  expect_identical(after_files, before_files)
  invisible(err)
}

# deep_dream() on `input` with quick settings, the output going to the output folder.
dream_into <- function(input, folders, ...) {
  args <- list(layers = list(mixed3 = 1), weights = NULL, num_octave = 1L, iterations = 1L,
               progress = FALSE, output = file.path(folders[["output"]], "dream.png"))
  extra <- list(...)
  args[names(extra)] <- extra
  do.call(deep_dream, c(list(input), args))
}

test_that("bad settings are R errors before Python starts, and nothing is written", {
  require_package("png")
  cases <- list(
    list(args = list(iterations = -1),
         regexp = "`iterations` must be a single non-negative whole number, not -1"),
    list(args = list(step = NaN), regexp = "`step` must be a single finite .*not NaN"),
    list(args = list(octave_scale = 0.5),
         regexp = "`octave_scale` must be a single finite number of at least 1, not 0.5"),
    list(args = list(memory_budget = 0),
         regexp = "`memory_budget` must be a single positive number of gigabytes.*not 0[.]$"),
    list(args = list(memory_budget = -1),
         regexp = "`memory_budget` must be a single positive number of gigabytes.*not -1[.]$"),
    list(args = list(memory_budget = "big"),
         regexp = "`memory_budget` must be .*not the string \"big\""),
    list(args = list(tile_size = "huge"),
         regexp = "`tile_size` must be \"auto\".*NULL.*whole number.*not the string \"huge\""),
    list(args = list(tile_size = 0), regexp = "`tile_size` must be .*not 0[.]$")
  )
  for (case in cases) {
    folders <- bad_input_folders()
    input <- write_test_png(file.path(folders[["input"]], "photo.png"))
    err <- expect_clean_failure(do.call(dream_into, c(list(input, folders), case$args)),
                                case$regexp, input, folders)
    expect_s3_class(err, "deepdream_argument_error")
  }
})

test_that("a missing input file is an R error that names it", {
  folders <- bad_input_folders()
  input <- file.path(folders[["input"]], "no-such-photo.jpg")
  expect_clean_failure(dream_into(input, folders),
                       "`image` file not found: \".*no-such-photo.jpg\"", input, folders)
})

test_that("unreadable pictures are R errors that say what is wrong with the file", {
  skip_if_no_pydream()
  require_package("png")
  make <- list(
    empty = function(path) {
      file.create(path)
      path
    },
    truncated_png = function(path) truncate_file(write_test_png(path)),
    truncated_jpeg = function(path) {
      save_img(synthetic_image(80L, 80L), path)
      truncate_file(path)
    },
    text = function(path) {
      writeLines("this is not a picture", path)
      path
    },
    huge_header = function(path) write_png_header(path, 60000, 60000)
  )
  cases <- list(
    list(make = "empty", file = "empty.jpg", regexp = "input image .*empty[.]jpg is empty"),
    list(make = "truncated_png", file = "cut.png",
         regexp = "input image .*cut[.]png is truncated or corrupt"),
    list(make = "truncated_jpeg", file = "cut.jpg",
         regexp = "input image .*cut[.]jpg is truncated or corrupt"),
    list(make = "text", file = "notes.jpg",
         regexp = "input image .*notes[.]jpg is not a picture"),
    list(make = "huge_header", file = "huge.png", regexp = "input image .*huge[.]png")
  )
  for (case in cases) {
    folders <- bad_input_folders()
    input <- make[[case$make]](file.path(folders[["input"]], case$file))
    expect_true(file.exists(input))
    err <- expect_clean_failure(dream_into(input, folders), case$regexp, input, folders)
    expect_s3_class(err, "deepdream_value_error")
    expect_s3_class(err, "deepdream_image_error")
    expect_identical(err$path, input)
    expect_identical(err$role, "image")
  }
})

test_that("a PNG header claiming 60000 x 60000 pixels is refused, not decoded", {
  skip_if_no_pydream()
  folders <- bad_input_folders()
  input <- write_png_header(file.path(folders[["input"]], "huge.png"), 60000, 60000)
  # the header alone is exactly 33 bytes: signature, length, IHDR and its checksum
  expect_identical(file.size(input), 33)
  # with an end chunk the file opens, and the size check refuses it
  writeBin(c(readBin(input, "raw", n = 33L),
             as.raw(c(0, 0, 0, 0)), charToRaw("IEND"), as.raw(c(0xAE, 0x42, 0x60, 0x82))),
           input)
  expect_clean_failure(dream_into(input, folders), "huge[.]png is too large to open safely",
                       input, folders)
})

test_that("bad layers, weights and output are R errors from the engine, with R advice", {
  skip_if_no_pydream()
  require_package("png")

  folders <- bad_input_folders()
  input <- write_test_png(file.path(folders[["input"]], "photo.png"))
  err <- expect_clean_failure(dream_into(input, folders, layers = list(mixed27 = 1)),
                              "unknown layer 'mixed27'.*mixed10", input, folders)
  expect_s3_class(err, "deepdream_layer_error")
  expect_match(conditionMessage(err), "all_layers = TRUE", fixed = TRUE)

  folders <- bad_input_folders()
  input <- write_test_png(file.path(folders[["input"]], "photo.png"))
  weights <- file.path(folders[["input"]], "x.weights.h5")
  writeLines("these are not weights", weights)
  err <- expect_clean_failure(dream_into(input, folders, weights = weights),
                              "weights file .*x[.]weights[.]h5 is not an HDF5 weights file",
                              input, folders)
  expect_s3_class(err, "deepdream_weights_error")
  expect_identical(err$path, weights)
  expect_identical(readLines(weights), "these are not weights")

  folders <- bad_input_folders()
  input <- write_test_png(file.path(folders[["input"]], "photo.png"))
  err <- expect_clean_failure(dream_into(input, folders, output = input),
                              "is the input file.*turn overwrite on", input, folders)
  expect_false(grepl("--overwrite", conditionMessage(err), fixed = TRUE))
  expect_s3_class(err, "deepdream_output_error")
  expect_identical(err$path, input)

  folders <- bad_input_folders()
  input <- write_test_png(file.path(folders[["input"]], "photo.png"))
  expect_clean_failure(dream_into(input, folders, tile_size = 10L),
                       "tile_size must be at least 150", input, folders)
})

test_that("a memory budget too small even for tiles is an R error that gives the numbers", {
  skip_if_no_pydream()
  require_package("png")
  folders <- bad_input_folders()
  input <- write_test_png(file.path(folders[["input"]], "photo.png"))
  err <- expect_clean_failure(
    dream_into(input, folders, tile_size = "auto", memory_budget = 0.001),
    "memory budget", input, folders
  )
  expect_s3_class(err, "deepdream_memory_budget_error")
  expect_match(conditionMessage(err), "[0-9.]+ (GB|MB)")
  expect_match(conditionMessage(err), "precision \"bfloat16\"", fixed = TRUE)
  expect_false(grepl("MemoryBudgetError", conditionMessage(err), fixed = TRUE))
  expect_true(is.numeric(err$needed) && is.numeric(err$budget))
  expect_gt(err$needed, err$budget)
})
