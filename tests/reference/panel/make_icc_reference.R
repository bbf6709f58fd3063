# Reference values for socvit.panel.stability (tests/test_panel_stability.py): test-retest
# intraclass correlations of the sample's organisatiekracht scale scores between two waves,
# by psych::ICC on the members with a score in both waves (one row per member, one column
# per wave).
#
# Scores as socvit.scales.score with the sample's codebook: codes 9 and 99 missing, the
# reverse-worded item keyed as 6 - x, the mean of the valid items when at least 3 of the 4
# are valid (min_valid: 3).
#
# Run from anywhere:  Rscript tests/reference/panel/make_icc_reference.R
# Writes icc_reference.csv beside this script. R 4.x, psych 2.x.
suppressPackageStartupMessages(library(psych))
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("--file=", "", args[grep("--file=", args)])))
root <- normalizePath(file.path(here, "..", "..", ".."))
d <- read.csv(file.path(root, "socvit", "data", "sample", "panel.csv"),
              colClasses = c(resp_id = "character", gemeente = "character", kern = "character"))
scales <- list(betrokkenheid = c("bet_1", "bet_2", "bet_3", "bet_4"),
               overtuigingen = c("ovt_1", "ovt_2", "ovt_3", "ovt_4"),
               bereidheid = c("ber_1", "ber_2", "ber_3", "ber_4"),
               capaciteit = c("cap_1", "cap_2", "cap_3", "cap_4"))
reversed <- c("bet_3", "ovt_4", "ber_2", "cap_3")
for (s in names(scales)) {
  x <- as.matrix(d[, scales[[s]]])
  x[x == 9 | x == 99] <- NA
  for (j in seq_along(scales[[s]])) if (scales[[s]][j] %in% reversed) x[, j] <- 6 - x[, j]
  score <- rowMeans(x, na.rm = TRUE)
  score[rowSums(!is.na(x)) < 3] <- NA
  d[[s]] <- score
}
out <- list()
for (pair in list(c(2021, 2023), c(2017, 2023))) {
  for (s in names(scales)) {
    a <- d[d$golf == pair[1], c("resp_id", s)]
    b <- d[d$golf == pair[2], c("resp_id", s)]
    wide <- merge(a, b, by = "resp_id")
    wide <- wide[complete.cases(wide), ]
    res <- ICC(as.matrix(wide[, 2:3]), lmer = FALSE)$results
    res <- res[res$type %in% c("ICC2", "ICC3"), ]
    out[[length(out) + 1]] <- data.frame(scale = s, wave_from = pair[1], wave_to = pair[2],
                                         type = res$type, icc = res$ICC, F = res$F,
                                         df1 = res$df1, df2 = res$df2, p = res$p,
                                         ci_lower = res[["lower bound"]],
                                         ci_upper = res[["upper bound"]], n = nrow(wide))
  }
}
res <- do.call(rbind, out)
write.csv(format(res, digits = 15), file.path(here, "icc_reference.csv"), row.names = FALSE,
          quote = FALSE)
cat("wrote", nrow(res), "rows\n")
