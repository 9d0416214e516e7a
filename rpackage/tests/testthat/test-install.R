# A built package carries the engine's sources, and install_deepdream() installs them by
# default; a package installed from a checkout installs the engine of its version from PyPI.

test_that("a package built by scripts/build-r carries the engine's sources", {
  engine <- deepdream:::bundled_engine()
  if (!nzchar(engine)) {
    skip_or_fail("this deepdream was installed from a checkout: it carries no engine")
  }
  expect_identical(basename(engine), "pydream-keras")
  project <- readLines(file.path(engine, "pyproject.toml"))
  expect_true('name = "pydream-keras"' %in% project)
  modules <- list.files(file.path(engine, "pydream"), pattern = "[.]py$", recursive = TRUE)
  expect_true(all(c("__init__.py", "engine/dream.py", "nets/models.py", "settings.py") %in%
                    modules))
  expect_true(file.exists(file.path(engine, "README.md")))
  # every module the package's __init__ imports is there (a subpackage as its __init__.py)
  init <- readLines(file.path(engine, "pydream", "__init__.py"))
  imported <- unique(sub("^from [.]([a-z_.]+) import.*", "\\1",
                         grep("^from [.][a-z_]", init, value = TRUE)))
  paths <- paste0(gsub(".", "/", imported, fixed = TRUE), ".py")
  expect_true(all(paths %in% modules | sub("[.]py$", "/__init__.py", paths) %in% modules))
})

test_that("by default pip gets a fresh copy of the carried engine, not the installed folder", {
  if (!nzchar(deepdream:::bundled_engine())) {
    skip_or_fail("this deepdream was installed from a checkout: it carries no engine")
  }
  expect_message(source <- deepdream:::engine_source(NULL), "the engine that deepdream carries")
  expect_true(file.exists(file.path(source, "pyproject.toml")))
  expect_true(file.exists(file.path(source, "pydream", "engine", "dream.py")))
  expect_false(identical(normalizePath(source), normalizePath(deepdream:::bundled_engine())))
  expect_true(startsWith(normalizePath(source), normalizePath(tempdir())))
  # a checkout or a wheel is taken by its full path, a requirement as it is
  folder <- tempfile("checkout")
  dir.create(folder)
  expect_message(taken <- deepdream:::engine_source(folder), "Installing the engine from")
  expect_identical(taken, normalizePath(folder))
  expect_identical(suppressMessages(deepdream:::engine_source("git+https://example.org/x")),
                   "git+https://example.org/x")
})

test_that("without a carried engine the default is pydream-keras of this version from PyPI", {
  version <- as.character(utils::packageVersion("deepdream"))
  expect_message(
    requirement <- deepdream:::engine_source(NULL, engine = ""),
    paste0("installing pydream-keras==", version, " from the Python Package Index"),
    fixed = TRUE
  )
  expect_identical(requirement, paste0("pydream-keras==", version))
  expect_identical(deepdream:::engine_requirement(requirement, "jax"), c(requirement, "jax"))
})

test_that("install_deepdream() checks its arguments before touching Python", {
  expect_error(install_deepdream(source = 1), "`source` must be a single non-empty string or NULL",
               fixed = TRUE, class = "deepdream_argument_error")
  expect_error(install_deepdream(envname = ""), "`envname` must be a single non-empty string",
               fixed = TRUE, class = "deepdream_argument_error")
  expect_error(install_deepdream(python = NA_character_), "`python` must be a single",
               fixed = TRUE, class = "deepdream_argument_error")
  expect_error(install_deepdream(extra_packages = 3), "`extra_packages` must be a character vector",
               fixed = TRUE, class = "deepdream_argument_error")
  expect_error(install_deepdream(force = "yes"), "`force`", fixed = TRUE,
               class = "deepdream_argument_error")
})

test_that("pip runs without the library folders R puts first in LD_LIBRARY_PATH", {
  r_lib <- R.home("lib")
  value <- paste(r_lib, "/usr/lib/x86_64-linux-gnu", "/opt/mine/lib",
                 "/usr/lib/jvm/default-java/lib/server", "", "/usr/lib", sep = ":")
  expect_identical(deepdream:::library_path_without_r(value), "/opt/mine/lib")
  expect_identical(deepdream:::library_path_without_r(r_lib), character())
  skip_on_os("windows")
  old <- Sys.getenv("LD_LIBRARY_PATH", unset = NA)
  on.exit(if (is.na(old)) Sys.unsetenv("LD_LIBRARY_PATH") else Sys.setenv(LD_LIBRARY_PATH = old),
          add = TRUE)
  Sys.setenv(LD_LIBRARY_PATH = paste(r_lib, "/opt/mine/lib", sep = ":"))
  inside <- (function() {
    deepdream:::without_r_library_path()
    Sys.getenv("LD_LIBRARY_PATH")
  })()
  expect_identical(inside, "/opt/mine/lib")
  expect_identical(Sys.getenv("LD_LIBRARY_PATH"), paste(r_lib, "/opt/mine/lib", sep = ":"))
})

test_that("install_deepdream() installs the chosen backend and remembers it", {
  expect_error(install_deepdream(backend = "mxnet"), "`backend` must be one of",
               fixed = TRUE, class = "deepdream_argument_error")
  expect_error(install_deepdream(gpu = NA), "`gpu` must be TRUE or FALSE", fixed = TRUE,
               class = "deepdream_argument_error")
  expect_error(install_deepdream(gpu = TRUE), "TensorFlow's GPU build is not installed",
               fixed = TRUE, class = "deepdream_argument_error")
  expect_error(deepdream:::backend_requirements("jax", TRUE, os = "Darwin"),
               "JAX's GPU build is for Linux only; on Darwin", fixed = TRUE)
  expect_identical(deepdream:::backend_requirements("jax", TRUE, os = "Linux"), "jax[cuda12]")
  expect_identical(deepdream:::backend_requirements("torch", TRUE, os = "Linux"), character())
  expect_identical(deepdream:::backend_requirements("jax", FALSE), character())

  folder <- tempfile("checkout")
  dir.create(folder)
  expect_identical(deepdream:::engine_requirement(folder, "tensorflow"), folder)
  expect_identical(deepdream:::engine_requirement(folder, "jax"), paste0(folder, "[jax]"))
  expect_identical(deepdream:::engine_requirement("pydream-keras", "torch"),
                   c("pydream-keras", "torch"))

  env <- tempfile("env")
  dir.create(file.path(env, "bin"), recursive = TRUE)
  python <- file.path(env, "bin", "python")
  old <- Sys.getenv("KERAS_BACKEND", unset = NA)
  on.exit(if (is.na(old)) Sys.unsetenv("KERAS_BACKEND") else Sys.setenv(KERAS_BACKEND = old),
          add = TRUE)
  Sys.unsetenv("KERAS_BACKEND")
  deepdream:::write_environment_backend(python, "torch")
  expect_identical(readLines(file.path(env, "deepdream-backend")), "torch")
  deepdream:::use_environment_backend(python)
  expect_identical(Sys.getenv("KERAS_BACKEND"), "torch")
  Sys.setenv(KERAS_BACKEND = "jax") # the user's own choice wins
  deepdream:::use_environment_backend(python)
  expect_identical(Sys.getenv("KERAS_BACKEND"), "jax")
  deepdream:::write_environment_backend(python, "tensorflow")
  expect_false(file.exists(file.path(env, "deepdream-backend")))
})

test_that("a failed pip install is one error that says how to install the engine instead", {
  requirement <- deepdream:::engine_pypi_requirement()
  error <- expect_error(
    deepdream:::abort_install(requirement, "Error installing package(s): \"'x'\"", TRUE),
    class = "deepdream_install_error"
  )
  expect_match(conditionMessage(error), paste0("pip could not install ", requirement),
               fixed = TRUE)
  expect_match(conditionMessage(error), "source = \"git+https://", fixed = TRUE)
  other <- expect_error(deepdream:::abort_install("numpy", "no network", FALSE),
                        class = "deepdream_error")
  expect_false(grepl("git+https", conditionMessage(other), fixed = TRUE))
})
