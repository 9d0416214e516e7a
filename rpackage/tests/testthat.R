library(testthat)
library(deepdream)

test_check("deepdream")
