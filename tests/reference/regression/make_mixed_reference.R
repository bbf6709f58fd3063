# Reference values for tests/test_mixed.py (lme4: lmer ML/REML, random slopes, crossed
# intercepts, singular fits, glmer binomial with the Laplace approximation).
#
# Run from the repository root:  Rscript tests/reference/regression/make_mixed_reference.R
# Needs R package lme4 (CRAN). Writes, next to this script:
#   data:   mixed_penicillin.csv, mixed_dyestuff2.csv, mixed_cbpp01.csv (lme4's Penicillin,
#           Dyestuff2 and cbpp, the last expanded to one 0/1 row per animal), and
#           sample_mixed.csv.gz (the bundled sample, all waves, cleaned: missing codes -> NA,
#           codes -> labels; sleepstudy.csv is written by make_reference.R)
#   values: mixed_coef.csv (model, term, estimate, se[, se_rx]), mixed_varcorr.csv (model and
#           as.data.frame(VarCorr()): grp var1 var2 vcov sdcor), mixed_stats.csv (model, stat,
#           value: logLik, AIC, BIC, deviance, REMLcrit, isSingular, nobs, LRT results).
# Every value is written with 17 significant digits. The fits use tight optimiser settings so
# that the reference is the optimum itself (lme4's defaults stop ~1e-5 short of it).

suppressPackageStartupMessages(library(lme4))
out <- "tests/reference/regression"
if (!dir.exists(out)) out <- "."
f17 <- function(x) sprintf("%.17g", x)
put <- function(df, name) write.csv(df, file.path(out, name), row.names = FALSE)
tight_lmer <- lmerControl(optimizer = "bobyqa", optCtrl = list(rhoend = 1e-12, maxfun = 1e5))
tight_glmer <- glmerControl(optimizer = "bobyqa", optCtrl = list(rhoend = 1e-12, maxfun = 1e5),
                            tolPwrss = 1e-12)

coefs <- NULL; varcorr <- NULL
stats <- data.frame(model = character(), stat = character(), value = character())
add_stat <- function(model, stat, value)
  stats[nrow(stats) + 1, ] <<- list(model, stat, f17(value))
record <- function(name, m) {
  V <- as.matrix(vcov(m))
  d <- data.frame(model = name, term = names(fixef(m)), estimate = f17(unname(fixef(m))),
                  se = f17(sqrt(diag(V))), stringsAsFactors = FALSE)
  if (!isLMM(m)) d$se_rx <- f17(sqrt(diag(as.matrix(vcov(m, use.hessian = FALSE)))))
  else d$se_rx <- d$se
  coefs <<- rbind(coefs, d)
  vc <- as.data.frame(VarCorr(m))
  vc$var1[is.na(vc$var1)] <- ""; vc$var2[is.na(vc$var2)] <- ""
  varcorr <<- rbind(varcorr, data.frame(model = name, grp = vc$grp, var1 = vc$var1,
                                        var2 = vc$var2, vcov = f17(vc$vcov),
                                        sdcor = f17(vc$sdcor)))
  ll <- logLik(m)
  add_stat(name, "logLik", as.numeric(ll))
  add_stat(name, "df", attr(ll, "df"))
  add_stat(name, "AIC", AIC(m)); add_stat(name, "BIC", BIC(m))
  add_stat(name, "nobs", nobs(m))
  if (isLMM(m) && isREML(m)) add_stat(name, "REMLcrit", REMLcrit(m))
  else add_stat(name, "deviance", -2 * as.numeric(ll))
  add_stat(name, "isSingular", as.numeric(isSingular(m)))
  for (i in seq_along(getME(m, "theta"))) add_stat(name, paste0("theta", i), getME(m, "theta")[i])
  invisible(m)
}

# ---------------------------------------------------------------- sleepstudy: random slopes
data(sleepstudy, package = "lme4")
sleep <- sleepstudy; sleep$Subject <- as.character(sleep$Subject)
m_int_ml <- record("sleep_int_ml", lmer(Reaction ~ Days + (1 | Subject), sleep, REML = FALSE,
                                        control = tight_lmer))
m_slope_ml <- record("sleep_slope_ml", lmer(Reaction ~ Days + (Days | Subject), sleep,
                                            REML = FALSE, control = tight_lmer))
record("sleep_slope_reml", lmer(Reaction ~ Days + (1 + Days | Subject), sleep, REML = TRUE,
                                control = tight_lmer))
record("sleep_uncor_reml", lmer(Reaction ~ Days + (Days || Subject), sleep, REML = TRUE,
                                control = tight_lmer))
a <- anova(m_int_ml, m_slope_ml)
add_stat("lrt_sleep", "Chisq", a$Chisq[2]); add_stat("lrt_sleep", "Df", a$Df[2])
add_stat("lrt_sleep", "p", a[["Pr(>Chisq)"]][2])

# ---------------------------------------------------------------- crossed: Penicillin
data(Penicillin, package = "lme4")
pen <- data.frame(diameter = Penicillin$diameter, plate = as.character(Penicillin$plate),
                  sample = as.character(Penicillin$sample))
put(pen, "mixed_penicillin.csv")
record("penicillin_reml", lmer(diameter ~ 1 + (1 | plate) + (1 | sample), pen, REML = TRUE,
                               control = tight_lmer))

# ---------------------------------------------------------------- singular: Dyestuff2
data(Dyestuff2, package = "lme4")
dye <- data.frame(Yield = Dyestuff2$Yield, Batch = as.character(Dyestuff2$Batch))
put(dye, "mixed_dyestuff2.csv")
record("dyestuff2_reml", suppressMessages(lmer(Yield ~ 1 + (1 | Batch), dye, control = tight_lmer)))

# ---------------------------------------------------------------- glmer binomial: cbpp
data(cbpp, package = "lme4")
rows <- rep(seq_len(nrow(cbpp)), cbpp$size)
cb01 <- data.frame(herd = as.character(cbpp$herd[rows]), period = as.character(cbpp$period[rows]))
cb01$y <- unlist(lapply(seq_len(nrow(cbpp)), function(i)
  c(rep(1L, cbpp$incidence[i]), rep(0L, cbpp$size[i] - cbpp$incidence[i]))))
put(cb01, "mixed_cbpp01.csv")
record("cbpp01", glmer(y ~ period + (1 | herd), cb01, family = binomial, control = tight_glmer))
# the aggregated form gives the same estimates (its logLik adds the binomial coefficients)
m_agg <- glmer(cbind(incidence, size - incidence) ~ period + (1 | herd), cbpp,
               family = binomial, control = tight_glmer)
record("cbpp_agg", m_agg)

# ---------------------------------------------------------------- the bundled sample
pan_file <- "socvit/data/sample/panel.csv"
if (file.exists(pan_file)) {
  pan <- read.csv(pan_file, colClasses = c(resp_id = "character", gemeente = "character",
                                           kern = "character"))
  na_codes <- function(x, codes) replace(x, x %in% codes, NA)
  s <- data.frame(resp_id = pan$resp_id, golf = pan$golf, gemeente = pan$gemeente,
                  kern = pan$kern,
                  leeftijdsklasse = c("18-34 jaar", "35-49 jaar", "50-64 jaar",
                                      "65 jaar en ouder")[pan$leeftijdsklasse],
                  geslacht = c("man", "vrouw")[pan$geslacht],
                  rapportcijfer = na_codes(pan$rapportcijfer, 99),
                  actief = na_codes(pan$actief, 99))
  gz <- gzfile(file.path(out, "sample_mixed.csv.gz"), "w")
  write.csv(s, gz, row.names = FALSE); close(gz)
  s <- read.csv(file.path(out, "sample_mixed.csv.gz"),
                colClasses = c(resp_id = "character", gemeente = "character", kern = "character"))
  fo <- rapportcijfer ~ leeftijdsklasse + factor(golf) + (1 | kern) + (1 | resp_id)
  record("sample_crossed_reml", lmer(fo, s, REML = TRUE, control = tight_lmer))
  record("sample_crossed_ml", lmer(fo, s, REML = FALSE, control = tight_lmer))
  # a random slope for the years since 2017 by respondent (2 x 2 blocks for 5,582 people)
  s$jaren <- s$golf - 2017
  record("sample_slope_resp", lmer(rapportcijfer ~ leeftijdsklasse + jaren + (1 + jaren | resp_id)
                                   + (1 | kern), s, REML = TRUE, control = tight_lmer))
  s23 <- s[s$golf == 2023, ]
  record("sample_glmer_actief", glmer(actief ~ leeftijdsklasse + geslacht + (1 | kern), s23,
                                      family = binomial, control = tight_glmer))
}

put(coefs, "mixed_coef.csv"); put(varcorr, "mixed_varcorr.csv"); put(stats, "mixed_stats.csv")
cat("mixed reference values written to", out, "\n")
