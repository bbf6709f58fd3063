# Reference values for tests/test_regression_ordinal.py: weighted proportional-odds models
# with design-based errors (survey::svyolr) and, for comparison, MASS::polr.
#
# Run from the repository root:  Rscript tests/reference/regression/make_reference_svyolr.R
# Needs R packages survey, MASS, sandwich. Reads the data make_reference.R exported
# (api_strat.csv, api_clus1.csv, sample_2023.csv, sample_weights_2023.csv) and writes, next to
# this script:
#   values: svyolr_<name>.csv (term, estimate, se; 17 significant digits) and
#           fitstats_svyolr.csv (model, stat, value).
# The ordered outcome of the api models is api00 in four classes:
#   api_cat = 1 + (api00 > 550) + (api00 > 650) + (api00 > 750).
# svyolr and polr are run to a tight optimum (optim's reltol = 1e-14) and with small steps
# for the numerical Hessian behind their errors (ndeps = 1e-6 instead of optim's 1e-3), so
# that the reference is not the optimiser's tolerance.

suppressPackageStartupMessages({ library(survey); library(MASS); library(sandwich) })
out <- "tests/reference/regression"
if (!dir.exists(out)) out <- "."
f17 <- function(x) sprintf("%.17g", x)
put <- function(df, name) write.csv(df, file.path(out, paste0(name, ".csv")), row.names = FALSE)
coef_table <- function(est, V)
  data.frame(term = names(est), estimate = f17(unname(est)), se = f17(sqrt(diag(V))[names(est)]),
             stringsAsFactors = FALSE)
fitstats <- data.frame(model = character(), stat = character(), value = character())
add_stat <- function(model, stat, value)
  fitstats[nrow(fitstats) + 1, ] <<- list(model, stat, f17(value))
tight <- function(npar) list(reltol = 1e-14, maxit = 10000, ndeps = rep(1e-6, npar))
npar <- function(fo, d, y) ncol(model.matrix(fo, d)) - 1 + nlevels(y) - 1

put_svyolr <- function(name, fo, des) {
  d <- model.frame(des)
  y <- model.response(model.frame(fo, d))
  m <- svyolr(fo, design = des, control = tight(npar(fo, d, y)))
  stopifnot(m$convergence == 0)
  put(coef_table(coef(m), vcov(m)), name)
  add_stat(name, "deviance", m$deviance)
  add_stat(name, "n", nrow(m$fitted.values))
  add_stat(name, "df_residual", m$df.residual)
  invisible(m)
}

# ---------------------------------------------------------------- survey's api data
strat <- read.csv(file.path(out, "api_strat.csv"))
clus1 <- read.csv(file.path(out, "api_clus1.csv"))
api_cat <- function(x) factor(1 + (x > 550) + (x > 650) + (x > 750), levels = 1:4)
strat$api_cat <- api_cat(strat$api00)
clus1$api_cat <- api_cat(clus1$api00)
clus1$stype <- factor(clus1$stype, levels = c("E", "H", "M"))

fo <- api_cat ~ ell + meals + mobility
# stratified, weighted (one row per PSU)
put_svyolr("svyolr_strat_strata", fo,
           svydesign(ids = ~1, strata = ~stype, weights = ~pw, data = strat))
# one-stage cluster sample, weighted, a factor term
put_svyolr("svyolr_clus1_dnum", api_cat ~ ell + meals + stype,
           svydesign(ids = ~dnum, weights = ~pw, data = clus1))
# clusters without weights (equal probabilities): svyolr equals polr's estimates with
# sandwich::vcovCL(cluster = ~dnum) (HC0 with G/(G-1))
m <- put_svyolr("svyolr_clus1_unweighted", fo,
                svydesign(ids = ~dnum, probs = ~1, data = clus1))
p <- polr(fo, data = clus1, Hess = TRUE, control = tight(npar(fo, clus1, clus1$api_cat)))
est <- c(coef(p), p$zeta)
put(coef_table(est, vcovCL(p, cluster = ~dnum)), "polr_clus1_vcovCL")

# domains: svyolr on subset(design, ...) keeps the full design's PSUs and strata (3 of the 15
# clusters hold no middle school; every row outside the domain counts in n_h)
put_svyolr("svyolr_clus1_domain_M", fo,
           subset(svydesign(ids = ~dnum, weights = ~pw, data = clus1), stype == "M"))
put_svyolr("svyolr_strat_domain_schwide", fo,
           subset(svydesign(ids = ~1, strata = ~stype, weights = ~pw, data = strat),
                  sch_wide == 1))

# finite population correction: apiclus1 sampled 15 of the 757 districts (survey's api fpc)
put_svyolr("svyolr_clus1_fpc", fo,
           svydesign(ids = ~dnum, weights = ~pw, fpc = ~rep(757, nrow(clus1)), data = clus1))

# missing values: svyolr drops the incomplete rows with design[-nao, ], which keeps the full
# design's PSUs per stratum (mobility made missing in every fourth school by snum)
clus1_na <- clus1
clus1_na$mobility[clus1_na$snum %% 4 == 0] <- NA
put(clus1_na[, c("snum", "dnum", "pw", "api00", "ell", "meals", "mobility", "stype")],
    "api_clus1_missing")
put_svyolr("svyolr_clus1_missing", fo, svydesign(ids = ~dnum, weights = ~pw, data = clus1_na))

# a calibrated design: apistrat raked to the population counts of stype and sch.wide; svyolr's
# errors then carry the calibration (svyrecvar with the design's postStrata). The same raked
# weights as fixed weights of a plain stratified design, for comparison.
des <- svydesign(ids = ~1, strata = ~stype, weights = ~pw, data = strat)
rk <- rake(des, list(~stype, ~sch_wide),
           list(data.frame(stype = c("E", "H", "M"), Freq = c(4421, 755, 1018)),
                data.frame(sch_wide = c(0, 1), Freq = c(1072, 5122))),
           control = list(maxit = 1000, epsilon = 1e-13))
put_svyolr("svyolr_strat_raked", fo, rk)
strat$w_raked <- weights(rk)
put_svyolr("svyolr_strat_raked_fixed", fo,
           svydesign(ids = ~1, strata = ~stype, weights = ~w_raked, data = strat))

# ---------------------------------------------------------------- the bundled sample (2023)
# The scale score and missing codes as in make_reference.R; the post-stratification weight w
# from sample_weights_2023.csv (treated as fixed weights, as svydesign(weights = ~w) does).
s23 <- read.csv(file.path(out, "sample_2023.csv"),
                colClasses = c(gemeente = "character", kern = "character"))
wt <- read.csv(file.path(out, "sample_weights_2023.csv"))
s23$w <- wt$w[match(paste(s23$leeftijdsklasse, s23$geslacht),
                    paste(wt$leeftijdsklasse, wt$geslacht))]
na_codes <- function(x, codes) replace(x, x %in% codes, NA)
score <- function(d, items, rev = character(), min_valid) {
  m <- sapply(items, function(i) na_codes(d[[i]], c(9, 99)))
  for (i in rev) m[, i] <- 6 - m[, i]
  s <- rowMeans(m, na.rm = TRUE)
  s[rowSums(!is.na(m)) < min_valid] <- NA
  s
}
lk <- c("18-34 jaar", "35-49 jaar", "50-64 jaar", "65 jaar en ouder")
d <- s23
d$bereidheid <- score(d, paste0("ber_", 1:4), "ber_2", 3)
d$leeftijdsklasse <- factor(d$leeftijdsklasse, levels = 1:4, labels = lk)
d$geslacht <- factor(d$geslacht, levels = 1:2, labels = c("man", "vrouw"))
d$budget_3 <- factor(na_codes(d$budget_3, c(9, 99)), levels = 1:5)
fo <- budget_3 ~ bereidheid + geslacht + leeftijdsklasse
dd <- d[complete.cases(d[all.vars(fo)]), ]
put_svyolr("svyolr_sample_budget3", fo,
           svydesign(ids = ~kern, strata = ~gemeente, weights = ~w, data = dd, nest = TRUE))
# the unweighted polr of the same model (what socvit gave before weights were taken)
p <- polr(fo, data = dd, Hess = TRUE, control = tight(npar(fo, dd, dd$budget_3)))
est <- c(coef(p), p$zeta)
put(coef_table(est, vcov(p)), "polr_sample_budget3")

put(fitstats, "fitstats_svyolr")
cat("svyolr reference values written to", out, "\n")
