# Reference values for tests/test_regression.py.
#
# Run from the repository root:  Rscript tests/reference/regression/make_reference.R
# Needs R packages survey, sandwich, MASS, lme4 (all on CRAN). Writes, next to this script:
#   data:   api_strat.csv, api_clus1.csv (survey::api), housing.csv (MASS::housing),
#           sleepstudy.csv, pastes.csv (lme4), sleep_unbal.csv (sleepstudy with rows removed)
#   values: <name>.csv with columns term, estimate, se (+ extra columns), full precision,
#           and fitstats.csv (model, stat, value).
# Every value is written with 17 significant digits.

suppressPackageStartupMessages({
  library(survey); library(sandwich); library(MASS); library(lme4)
})
out <- "tests/reference/regression"
if (!dir.exists(out)) out <- "."
f17 <- function(x) sprintf("%.17g", x)
put <- function(df, name) write.csv(df, file.path(out, paste0(name, ".csv")), row.names = FALSE)
coef_table <- function(est, V, extra = list()) {
  d <- data.frame(term = names(est), estimate = f17(unname(est)), se = f17(sqrt(diag(V))),
                  stringsAsFactors = FALSE)
  for (n in names(extra)) d[[n]] <- f17(unname(extra[[n]]))
  d
}
fitstats <- data.frame(model = character(), stat = character(), value = character())
add_stat <- function(model, stat, value)
  fitstats[nrow(fitstats) + 1, ] <<- list(model, stat, f17(value))

# ---------------------------------------------------------------- data sets (exported)
data(api, package = "survey")
cols <- c("snum", "stype", "dnum", "pw", "api00", "ell", "meals", "mobility", "sch.wide")
strat <- apistrat[, cols]; strat$sch_wide <- as.integer(strat$sch.wide == "Yes"); strat$sch.wide <- NULL
clus1 <- apiclus1[, cols]; clus1$sch_wide <- as.integer(clus1$sch.wide == "Yes"); clus1$sch.wide <- NULL
put(strat, "api_strat"); put(clus1, "api_clus1")

data(housing, package = "MASS")
put(housing, "housing")

data(sleepstudy, package = "lme4"); data(Pastes, package = "lme4")
sleep <- sleepstudy; sleep$Subject <- as.character(sleep$Subject)
put(sleep, "sleepstudy")
pastes <- data.frame(strength = Pastes$strength, batch = as.character(Pastes$batch),
                     cask = as.character(Pastes$cask))
put(pastes, "pastes")
# unbalanced panel for the within model: drop rows by a fixed rule; subject 370 keeps one row
unbal <- sleep[!(((sleep$Days + as.integer(sleep$Subject)) %% 3) == 0), ]
unbal <- unbal[!(unbal$Subject == "370" & unbal$Days > 0), ]
unbal$x2 <- round(sin(seq_len(nrow(unbal))) * 10, 3)   # a second time-varying regressor
put(unbal, "sleep_unbal")

# ---------------------------------------------------------------- svyglm (Taylor linearisation)
# glm's default convergence tolerance (epsilon = 1e-8) leaves the working weights behind
# vcov() one IRLS step stale (SEs off by ~1e-6); iterate to convergence.
tight <- glm.control(epsilon = 1e-14, maxit = 100)
fo_g <- api00 ~ ell + meals + mobility
fo_b <- sch_wide ~ ell + meals + mobility
designs <- list(
  strat_ids1   = svydesign(ids = ~1, weights = ~pw, data = strat),
  strat_strata = svydesign(ids = ~1, strata = ~stype, weights = ~pw, data = strat),
  clus1_dnum   = svydesign(ids = ~dnum, weights = ~pw, data = clus1)
)
for (d in names(designs)) {
  for (fam in c("gaussian", "quasibinomial")) {
    fo <- if (fam == "gaussian") fo_g else fo_b
    m <- svyglm(fo, design = designs[[d]], family = fam, control = tight)
    ci <- confint(m)
    s <- summary(m)$coefficients
    name <- paste0("svyglm_", d, "_", fam)
    put(coef_table(coef(m), vcov(m), list(ci_lower = ci[, 1], ci_upper = ci[, 2],
                                           p = s[, 4])), name)
    add_stat(name, "df_residual", m$df.residual)
  }
}
# a factor term (named as patsy names it) on the cluster design
m <- svyglm(api00 ~ ell + meals + stype, design = designs$clus1_dnum)
put(coef_table(coef(m), vcov(m), list(p = summary(m)$coefficients[, 4])), "svyglm_clus1_dnum_factor")

# ---------------------------------------------------------------- sandwich (vcovCL, vcovHC)
m_lm <- lm(fo_g, data = clus1)
m_wlm <- lm(fo_g, data = clus1, weights = pw)
m_glm <- glm(fo_b, data = clus1, family = binomial, control = tight)
put(coef_table(coef(m_lm), vcovCL(m_lm, cluster = ~dnum)), "vcovCL_lm")
put(coef_table(coef(m_wlm), vcovCL(m_wlm, cluster = ~dnum)), "vcovCL_wlm")
# vcovCL's default type is HC1 for lm and HC0 for glm (both with cadjust G/(G-1))
put(coef_table(coef(m_glm), vcovCL(m_glm, cluster = ~dnum)), "vcovCL_glm")
put(coef_table(coef(m_lm), vcovHC(m_lm, type = "HC3")), "vcovHC3_lm")
put(coef_table(coef(m_glm), vcovHC(m_glm, type = "HC3")), "vcovHC3_glm")
put(coef_table(coef(m_lm), vcov(m_lm)), "classic_lm")
put(coef_table(coef(m_glm), vcov(m_glm)), "classic_glm")
add_stat("classic_lm", "r2", summary(m_lm)$r.squared)
add_stat("classic_lm", "adj_r2", summary(m_lm)$adj.r.squared)
add_stat("classic_glm", "deviance", deviance(m_glm))
add_stat("classic_glm", "aic", AIC(m_glm))
add_stat("classic_glm", "null_deviance", m_glm$null.deviance)

# ---------------------------------------------------------------- polr (tight tolerance)
m_polr <- polr(Sat ~ Infl + Type + Cont, weights = Freq, data = housing, Hess = TRUE,
               control = list(reltol = 1e-14, maxit = 10000))
V <- vcov(m_polr)
est <- c(coef(m_polr), m_polr$zeta)
put(coef_table(est, V[names(est), names(est)]), "polr_housing")
add_stat("polr_housing", "deviance", deviance(m_polr))
add_stat("polr_housing", "aic", AIC(m_polr))

# ---------------------------------------------------------------- lmer (REML)
m1 <- lmer(Reaction ~ Days + (1 | Subject), data = sleep, REML = TRUE,
           control = lmerControl(optimizer = "bobyqa", optCtrl = list(rhoend = 1e-12)))
put(coef_table(fixef(m1), as.matrix(vcov(m1))), "lmer_sleepstudy")
vc <- as.data.frame(VarCorr(m1))
add_stat("lmer_sleepstudy", "var_Subject", vc$vcov[vc$grp == "Subject"])
add_stat("lmer_sleepstudy", "var_residual", vc$vcov[vc$grp == "Residual"])
add_stat("lmer_sleepstudy", "reml_criterion", REMLcrit(m1))
m2 <- lmer(strength ~ 1 + (1 | batch) + (1 | batch:cask), data = pastes, REML = TRUE,
           control = lmerControl(optimizer = "bobyqa", optCtrl = list(rhoend = 1e-12)))
put(coef_table(fixef(m2), as.matrix(vcov(m2))), "lmer_pastes")
vc <- as.data.frame(VarCorr(m2))
add_stat("lmer_pastes", "var_batch", vc$vcov[vc$grp == "batch"])
add_stat("lmer_pastes", "var_batch_cask", vc$vcov[vc$grp == "batch:cask"])
add_stat("lmer_pastes", "var_residual", vc$vcov[vc$grp == "Residual"])
add_stat("lmer_pastes", "reml_criterion", REMLcrit(m2))

# ---------------------------------------------------------------- within (person fixed effects)
# Persons with a single row are dropped first (they carry no within-person information);
# then lm with person dummies and vcovCL(cluster = ~Subject, type = "HC1"), t on lm's df.
keep <- ave(rep(1, nrow(unbal)), unbal$Subject, FUN = length) > 1
u <- unbal[keep, ]
m_w <- lm(Reaction ~ Days + x2 + factor(Subject), data = u)
Vw <- vcovCL(m_w, cluster = ~Subject, type = "HC1")
b <- coef(m_w)[c("Days", "x2")]
Vw <- Vw[c("Days", "x2"), c("Days", "x2")]
tt <- b / sqrt(diag(Vw))
put(coef_table(b, Vw, list(p = 2 * pt(-abs(tt), df = m_w$df.residual))), "within_sleep_unbal")
add_stat("within_sleep_unbal", "df_residual", m_w$df.residual)
add_stat("within_sleep_unbal", "n", nrow(u))

# ---------------------------------------------------------------- the bundled sample
# Subsets of socvit/data/sample/panel.csv (raw codes) are exported so that the reference stays valid
# if the sample is regenerated. Missing codes (codebook): 9 and 99 for Likert items, 99 for
# actief, rapportcijfer and opleiding. Scale scores: mean of the items after reverse keying
# (x -> 6 - x) when at least min_valid items are answered (codebook scales).
pan_file <- "socvit/data/sample/panel.csv"
if (file.exists(pan_file)) {
  pan <- read.csv(pan_file, colClasses = c(resp_id = "character", gemeente = "character",
                                           kern = "character"))
  s23 <- pan[pan$golf == 2023, c("resp_id", "golf", "gemeente", "kern", "leeftijdsklasse",
                                 "geslacht", "opleiding", paste0("ber_", 1:4), paste0("cap_", 1:4),
                                 paste0("contact_", 1:3), "budget_3", "rapportcijfer", "actief")]
  # post-stratification weight: 2023 population by leeftijdsklasse x geslacht (bevolking.csv)
  bev <- read.csv("socvit/data/sample/bevolking.csv")
  bev <- aggregate(aantal ~ leeftijdsklasse + geslacht, data = bev[bev$golf == 2023, ], FUN = sum)
  lk <- c("18-34 jaar", "35-49 jaar", "50-64 jaar", "65 jaar en ouder"); gs <- c("man", "vrouw")
  cell_pop <- bev$aantal[match(paste(lk[s23$leeftijdsklasse], gs[s23$geslacht]),
                               paste(bev$leeftijdsklasse, bev$geslacht))]
  cell_n <- ave(rep(1, nrow(s23)), s23$leeftijdsklasse, s23$geslacht, FUN = sum)
  s23$w <- cell_pop / cell_n
  wt <- unique(s23[c("leeftijdsklasse", "geslacht", "w")])
  put(transform(wt[order(wt$leeftijdsklasse, wt$geslacht), ], w = f17(w)), "sample_weights_2023")
  put(s23[setdiff(names(s23), c("w", "resp_id"))], "sample_2023")
  keep_gm <- c("GM0765", "GM0047", "GM0037")
  sw <- pan[pan$gemeente %in% keep_gm, c("resp_id", "golf", "gemeente", "kern",
                                          paste0("cap_", 1:4), "animo_1", "animo_2")]
  put(sw, "sample_within")

  na_codes <- function(x, codes) replace(x, x %in% codes, NA)
  score <- function(d, items, rev = character(), min_valid) {
    m <- sapply(items, function(i) na_codes(d[[i]], c(9, 99)))
    for (i in rev) m[, i] <- 6 - m[, i]
    s <- rowMeans(m, na.rm = TRUE)
    s[rowSums(!is.na(m)) < min_valid] <- NA
    s
  }
  d <- s23
  d$bereidheid <- score(d, paste0("ber_", 1:4), "ber_2", 3)
  d$capaciteit <- score(d, paste0("cap_", 1:4), "cap_3", 3)
  d$contact_gemeente <- score(d, paste0("contact_", 1:3), character(), 2)
  d$actief <- na_codes(d$actief, 99)
  d$rapportcijfer <- na_codes(d$rapportcijfer, 99)
  d$opleiding <- factor(na_codes(d$opleiding, 99), levels = 1:3, labels = c("laag", "middelbaar", "hoog"))
  d$leeftijdsklasse <- factor(d$leeftijdsklasse, levels = 1:4, labels = lk)
  d$geslacht <- factor(d$geslacht, levels = 1:2, labels = gs)
  d$budget_3 <- factor(na_codes(d$budget_3, c(9, 99)), levels = 1:5)

  fo <- actief ~ bereidheid + capaciteit + leeftijdsklasse + geslacht + opleiding
  dd <- d[complete.cases(d[all.vars(fo)]), ]
  des <- svydesign(ids = ~kern, strata = ~gemeente, weights = ~w, data = dd, nest = TRUE)
  m <- svyglm(fo, design = des, family = quasibinomial, control = tight)
  ci <- confint(m)
  put(coef_table(coef(m), vcov(m), list(ci_lower = ci[, 1], ci_upper = ci[, 2],
                                         p = summary(m)$coefficients[, 4])), "sample_svyglm_actief")
  add_stat("sample_svyglm_actief", "df_residual", m$df.residual)
  add_stat("sample_svyglm_actief", "n", nrow(dd))

  fo <- rapportcijfer ~ contact_gemeente + leeftijdsklasse
  dd <- d[complete.cases(d[all.vars(fo)]), ]
  des <- svydesign(ids = ~kern, strata = ~gemeente, weights = ~w, data = dd, nest = TRUE)
  m <- svyglm(fo, design = des)
  put(coef_table(coef(m), vcov(m), list(p = summary(m)$coefficients[, 4])), "sample_svyglm_rapportcijfer")
  add_stat("sample_svyglm_rapportcijfer", "n", nrow(dd))

  dd <- d[complete.cases(d[c("budget_3", "bereidheid", "geslacht")]), ]
  m <- polr(budget_3 ~ bereidheid + geslacht, data = dd, Hess = TRUE,
            control = list(reltol = 1e-14, maxit = 10000))
  est <- c(coef(m), m$zeta)
  put(coef_table(est, vcov(m)[names(est), names(est)]), "sample_polr_budget3")
  add_stat("sample_polr_budget3", "n", nrow(dd))

  dd <- d[complete.cases(d[c("capaciteit", "leeftijdsklasse")]), ]
  m <- lmer(capaciteit ~ leeftijdsklasse + (1 | gemeente) + (1 | gemeente:kern), data = dd,
            REML = TRUE, control = lmerControl(optimizer = "bobyqa", optCtrl = list(rhoend = 1e-12)))
  put(coef_table(fixef(m), as.matrix(vcov(m))), "sample_lmer_capaciteit")
  vc <- as.data.frame(VarCorr(m))
  add_stat("sample_lmer_capaciteit", "var_gemeente", vc$vcov[vc$grp == "gemeente"])
  add_stat("sample_lmer_capaciteit", "var_kern", vc$vcov[vc$grp == "gemeente:kern"])
  add_stat("sample_lmer_capaciteit", "var_residual", vc$vcov[vc$grp == "Residual"])

  w <- sw
  w$capaciteit <- score(w, paste0("cap_", 1:4), "cap_3", 3)
  w$animo <- score(w, c("animo_1", "animo_2"), character(), 1)
  w <- w[complete.cases(w[c("capaciteit", "animo")]), ]
  w <- w[ave(rep(1, nrow(w)), w$resp_id, FUN = length) > 1, ]
  m <- lm(capaciteit ~ factor(golf) + animo + factor(resp_id), data = w)
  tn <- c("factor(golf)2019", "factor(golf)2021", "factor(golf)2023", "animo")
  V <- vcovCL(m, cluster = ~resp_id, type = "HC1")[tn, tn]
  b <- coef(m)[tn]
  put(coef_table(b, V, list(p = 2 * pt(-abs(b / sqrt(diag(V))), df = m$df.residual))),
      "sample_within_capaciteit")
  add_stat("sample_within_capaciteit", "n", nrow(w))
  add_stat("sample_within_capaciteit", "n_persons", length(unique(w$resp_id)))
}

put(fitstats, "fitstats")
cat("reference values written to", out, "\n")
