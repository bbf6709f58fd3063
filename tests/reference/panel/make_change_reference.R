# Reference values for socvit.panel.change (tests/test_panel_change.py).
#
# The change of a mean or share between two waves of the sample panel, estimated
#   - paired: on the members with a value in both waves, a design whose clusters are the
#     members (both rows of a member in one cluster); a member counts in the group of his or
#     her wave-B row;
#   - cross-sectional: on every row of the two waves, again clustered on the member (the
#     overlap of the waves); each row in its own group;
# as svycontrast(svyby(~y, ~golf, design, svymean, covmat = TRUE), c(-1, 1)) on the design's
# rows with a value in the group (design[!is.na(y) & grp == g, ]: a domain, the whole design's
# clusters are kept, as na.rm = TRUE does; svyby's covmat fails with na.rm on a subset).
#
# Run from anywhere:  Rscript tests/reference/panel/make_change_reference.R
# Writes change_reference.csv beside this script. R 4.x, survey 4.x.
suppressPackageStartupMessages(library(survey))
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("--file=", "", args[grep("--file=", args)])))
root <- normalizePath(file.path(here, "..", "..", ".."))
d <- read.csv(file.path(root, "socvit", "data", "sample", "panel.csv"),
              colClasses = c(resp_id = "character", gemeente = "character", kern = "character"))
d$rapportcijfer[d$rapportcijfer == 99] <- NA
d$actief[d$actief == 99] <- NA
d$actief1 <- as.numeric(d$actief == 1)
# a weight that differs between the waves of a member (tests the contrast of two weighted
# means, not only the mean of differences); the test computes the same weight
d$w <- 1 + 0.5 * (d$leeftijdsklasse == 1) + 0.25 * (d$geslacht == 2) + 0.1 * (d$golf == 2023)

contrast <- function(des, y) {
  r <- svyby(as.formula(paste0("~", y)), ~golf, des, svymean, covmat = TRUE)
  cc <- svycontrast(r, c(-1, 1))
  c(estimate_from = unname(coef(r)[1]), estimate_to = unname(coef(r)[2]),
    estimate = unname(coef(cc)), se = unname(SE(cc)))
}

run <- function(name, y, a, b, weighted, by = NULL) {
  two <- d[d$golf %in% c(a, b), ]
  ok <- two[!is.na(two[[y]]), ]
  both <- intersect(ok$resp_id[ok$golf == a], ok$resp_id[ok$golf == b])
  paired <- ok[ok$resp_id %in% both, ]
  if (is.null(by)) {
    paired$grp <- "(all)"
    two$grp <- "(all)"
  } else {
    in_b <- paired$golf == b
    paired$grp <- as.character(setNames(paired[[by]][in_b], paired$resp_id[in_b])[paired$resp_id])
    two$grp <- as.character(two[[by]])
  }
  w <- if (weighted) ~w else NULL
  designs <- list(
    paired = svydesign(ids = ~resp_id, weights = w, data = paired),
    "cross-sectional" = svydesign(ids = ~resp_id, weights = w, data = two))
  frames <- list(paired = paired, "cross-sectional" = two)
  out <- list()
  for (g in sort(unique(two$grp))) {
    for (basis in names(designs)) {
      f <- frames[[basis]]
      has <- !is.na(f[[y]]) & f$grp == g
      n_a <- sum(has & f$golf == a)
      n_b <- sum(has & f$golf == b)
      if (n_a < 2 || n_b < 2) next
      des <- designs[[basis]]
      est <- contrast(des[!is.na(des$variables[[y]]) & des$variables$grp == g, ], y)
      out[[length(out) + 1]] <- data.frame(case = name, group = g, basis = basis,
                                           t(est), n_from = n_a, n_to = n_b)
    }
  }
  do.call(rbind, out)
}

suppressWarnings(res <- rbind(
  run("mark", "rapportcijfer", 2021, 2023, weighted = FALSE),
  run("mark_weighted_by_gemeente", "rapportcijfer", 2021, 2023, weighted = TRUE, by = "gemeente"),
  run("actief_weighted", "actief1", 2019, 2023, weighted = TRUE),
  run("actief_by_age", "actief1", 2017, 2023, weighted = FALSE, by = "leeftijdsklasse")))
write.csv(format(res, digits = 15), file.path(here, "change_reference.csv"), row.names = FALSE,
          quote = FALSE)
cat("wrote", nrow(res), "rows\n")
