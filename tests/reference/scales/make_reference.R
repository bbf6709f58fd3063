# Reference scale scores for tests/test_scales.py: psych::scoreItems with impute = "none"
# (the mean of the answered items, reverse-keyed items as min + max - x).
# items.csv: the first 400 rows of the sample panel's betrokkenheid and capaciteit items
# (exported from socvit.load_sample(); NA = missing or "weet niet").
# Run from the repository root:  Rscript tests/reference/scales/make_reference.R
suppressPackageStartupMessages(library(psych))
x <- read.csv("tests/reference/scales/items.csv")
keys <- list(betrokkenheid = c("bet_1", "bet_2", "-bet_3", "bet_4"),
             capaciteit = c("cap_1", "cap_2", "-cap_3", "cap_4"))
s <- scoreItems(keys, x, impute = "none", min = 1, max = 5, totals = FALSE)
out <- data.frame(betrokkenheid = s$scores[, "betrokkenheid"],
                  capaciteit = s$scores[, "capaciteit"])
write.csv(format(out, digits = 17), "tests/reference/scales/scores.csv", row.names = FALSE,
          quote = FALSE)
cat(sprintf("psych %s: %d rows written\n", packageVersion("psych"), nrow(out)))

# Reverse keying without a codebook: psych::scoreItems (no min/max) reverses with the lowest
# and highest answer over all items, not each item's own range. The first 20 rows of
# psychTools::bfi (tests/reference/reliability/bfi.csv) are a small group where they differ
# (A1 answered 2-6 there, C4 and E1 1-5, all items together 1-6). Each scale is scored on
# its own five items, as socvit.scales.score(items=..., reverse=...) sees them.
b <- head(read.csv("tests/reference/reliability/bfi.csv"), 20)
scales <- list(A = c("-A1", "A2", "A3", "A4", "A5"), C = c("C1", "C2", "C3", "-C4", "-C5"),
               E = c("-E1", "-E2", "E3", "E4", "E5"))
small <- sapply(names(scales), function(s) {
  it <- sub("-", "", scales[[s]])
  scoreItems(setNames(list(scales[[s]]), s), b[, it], impute = "none", totals = FALSE)$scores[, 1]
})
write.csv(format(as.data.frame(small), digits = 17), "tests/reference/scales/bfi_small_group.csv",
          row.names = FALSE, quote = FALSE)
cat(sprintf("psych %s: %d rows of bfi scored without min/max\n", packageVersion("psych"),
            nrow(small)))
