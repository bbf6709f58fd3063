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
