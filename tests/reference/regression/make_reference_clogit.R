# Reference values for tests/test_clogit.py: conditional (fixed-effects) logit, as
# survival::clogit (exact conditional likelihood, its default) and Stata's xtlogit, fe.
#
# Run from the repository root:  Rscript tests/reference/regression/make_reference_clogit.R
# Needs R's survival (ships with R). Writes, next to this script:
#   data:   infert.csv (R's datasets::infert), sample_clogit.csv (a subset of the bundled
#           sample's panel: every wave of three gemeenten, raw codes)
#   values: clogit_<name>.csv (term, estimate, se, p; 17 significant digits) and
#           fitstats_clogit.csv (model, stat, value): loglik_null and loglik (the
#           conditional log-likelihood at beta = 0 and at the estimate), n (rows with
#           information: respondents whose outcome changes), n_groups.
# coxph's default convergence (eps = 1e-9 on the log-likelihood) is tightened to 1e-14.

suppressPackageStartupMessages(library(survival))
out <- "tests/reference/regression"
if (!dir.exists(out)) out <- "."
f17 <- function(x) sprintf("%.17g", x)
put <- function(df, name) write.csv(df, file.path(out, paste0(name, ".csv")), row.names = FALSE)
fitstats <- data.frame(model = character(), stat = character(), value = character())
add_stat <- function(model, stat, value)
  fitstats[nrow(fitstats) + 1, ] <<- list(model, stat, f17(value))
tight <- coxph.control(eps = 1e-14, iter.max = 100, toler.chol = 1e-15)

put_clogit <- function(name, m, groups) {
  s <- summary(m)$coefficients
  put(data.frame(term = rownames(s), estimate = f17(s[, "coef"]), se = f17(s[, "se(coef)"]),
                 p = f17(s[, "Pr(>|z|)"]), stringsAsFactors = FALSE), name)
  add_stat(name, "loglik_null", m$loglik[1])
  add_stat(name, "loglik", m$loglik[2])
  add_stat(name, "n", m$n)
  add_stat(name, "n_groups", groups)
}

# ---------------------------------------------------------------- infert (case-control)
data(infert, package = "datasets")
inf <- infert[, c("stratum", "case", "spontaneous", "induced", "age", "parity")]
put(inf, "infert")
m <- clogit(case ~ spontaneous + induced + strata(stratum), data = inf, control = tight)
put_clogit("clogit_infert", m, length(unique(inf$stratum)))

# ---------------------------------------------------------------- the bundled sample's panel
# actief (0/1; 99 missing) across the waves, respondent as the stratum: a within-person logit
# with wave dummies and the bereidheid score (mean of ber_1..4 with ber_2 reversed, at least 3
# answered; 9 and 99 missing). Respondents whose actief never changes carry no information:
# clogit keeps them in n but they add nothing; the values here count only the others.
pan_file <- "socvit/data/sample/panel.csv"
if (file.exists(pan_file)) {
  pan <- read.csv(pan_file, colClasses = c(resp_id = "character", gemeente = "character",
                                           kern = "character"))
  keep_gm <- c("GM0765", "GM0047", "GM0037")
  sc <- pan[pan$gemeente %in% keep_gm, c("resp_id", "golf", "gemeente", "kern",
                                          paste0("ber_", 1:4), "actief")]
  put(sc, "sample_clogit")
  na_codes <- function(x, codes) replace(x, x %in% codes, NA)
  m4 <- sapply(paste0("ber_", 1:4), function(i) na_codes(sc[[i]], c(9, 99)))
  m4[, "ber_2"] <- 6 - m4[, "ber_2"]
  sc$bereidheid <- rowMeans(m4, na.rm = TRUE)
  sc$bereidheid[rowSums(!is.na(m4)) < 3] <- NA
  sc$actief <- na_codes(sc$actief, 99)
  d <- sc[complete.cases(sc[c("actief", "bereidheid")]), ]
  change <- ave(d$actief, d$resp_id, FUN = function(a) length(unique(a))) > 1
  add_stat("clogit_sample_actief", "n_rows_all", nrow(d))
  add_stat("clogit_sample_actief", "n_persons_all", length(unique(d$resp_id)))
  d <- d[change, ]
  m <- clogit(actief ~ factor(golf) + bereidheid + strata(resp_id), data = d, control = tight)
  put_clogit("clogit_sample_actief", m, length(unique(d$resp_id)))
}

put(fitstats, "fitstats_clogit")
cat("clogit reference values written to", out, "\n")
