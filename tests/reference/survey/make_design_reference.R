# Reference values for socvit.survey (the one design object) from R's survey package:
# svyglm / svymean / svyby / svyciprop on designs with strata, clusters and a finite
# population correction (fpc), on rake()d (calibrated) designs, on domains (subset of the
# design) and with missing values (R keeps the full design's PSUs per stratum).
#
# Run from this directory:  Rscript make_design_reference.R
# Writes (full precision, digits = 17):
#   api_design_strat.csv, api_design_clus1.csv, api_design_clus2.csv   the input data
#   design_reference.csv      one row per (case, term): estimate, se, df, ci_lower, ci_upper
#   sample_design_reference.csv  the same on the bundled sample (if data/sample exists)
suppressPackageStartupMessages(library(survey))
options(digits = 17, survey.lonely.psu = "fail")
data(api)
keep <- c("snum", "stype", "dnum", "cname", "api00", "api99", "sch.wide", "awards", "yr.rnd",
          "meals", "ell", "acs.46", "enroll", "pw")
st <- apistrat[, c(keep, "fpc")]
# a stratum left with one complete row: meals missing in every H school but the first
st$meals_h1 <- st$meals
st$meals_h1[st$stype == "H"][-1] <- NA
# the sampling fraction per stratum (fpc given as a fraction, not a population size)
st$frac <- as.vector(table(st$stype)[as.character(st$stype)]) / st$fpc
cl <- apiclus1[, c(keep, "fpc")]
c2 <- apiclus2[, c(keep, "fpc1")]
write.csv(st, "api_design_strat.csv", row.names = FALSE)
write.csv(cl, "api_design_clus1.csv", row.names = FALSE)
write.csv(c2, "api_design_clus2.csv", row.names = FALSE)
wcsv <- function(x, file) write.csv(format(x, digits = 17, trim = TRUE), file, row.names = FALSE, quote = TRUE)
ctrl <- list(maxit = 1000, epsilon = 1e-13)
pop.types <- data.frame(stype = c("E", "H", "M"), Freq = c(4421, 755, 1018))
pop.schwide <- data.frame(sch.wide = c("No", "Yes"), Freq = c(1072, 5122))

rows <- list()
add <- function(case, term, est, se, df = NA, lo = NA, hi = NA) {
  rows[[length(rows) + 1]] <<- data.frame(case = case, term = term, estimate = as.numeric(est),
    se = as.numeric(se), df = as.numeric(df), ci_lower = as.numeric(lo), ci_upper = as.numeric(hi))
}
addglm <- function(case, m) {
  s <- summary(m)$coefficients
  add(case, rownames(s), s[, 1], s[, 2], m$df.residual)
}

d_st <- svydesign(ids = ~1, weights = ~pw, data = st)
d_stfpc <- svydesign(ids = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = st)
d_stfrac <- svydesign(ids = ~1, strata = ~stype, weights = ~pw, fpc = ~frac, data = st)
d_strat <- svydesign(ids = ~1, strata = ~stype, weights = ~pw, data = st)
d_cl <- svydesign(ids = ~dnum, weights = ~pw, data = cl)
d_clfpc <- svydesign(ids = ~dnum, weights = ~pw, fpc = ~fpc, data = cl)
d_c2fpc <- svydesign(ids = ~dnum, weights = ~pw, fpc = ~fpc1, data = c2)

# ---------------------------------------------------------------- calibrated (rake()d)
r1 <- rake(d_st, list(~stype, ~sch.wide), list(pop.types, pop.schwide), control = ctrl)
addglm("rake_st_ols", svyglm(api00 ~ meals + yr.rnd + enroll, r1))
addglm("rake_st_logit", svyglm(I(awards == "Yes") ~ meals + yr.rnd, r1, family = quasibinomial))
# raking a stratified design with fpc: only awards (stype is its strata)
pop.awards <- as.data.frame(table(awards = apipop$awards)); names(pop.awards)[2] <- "Freq"
r2 <- rake(d_stfpc, list(~sch.wide, ~awards), list(pop.schwide, pop.awards), control = ctrl)
addglm("rake_stfpc_ols", svyglm(api00 ~ meals + yr.rnd, r2))
m <- svymean(~api00, r2); add("rake_stfpc_mean", "api00", coef(m), SE(m))
b <- svyby(~api00, ~yr.rnd, r2, svymean)
add("rake_stfpc_by", as.character(b$yr.rnd), coef(b), SE(b))
# clusters: rake()d apiclus1
r3 <- rake(d_cl, list(~stype, ~sch.wide), list(pop.types, pop.schwide), control = ctrl)
addglm("rake_cl_ols", svyglm(api00 ~ meals + enroll, r3))
# a domain of a rake()d design
addglm("rake_st_domain_E", svyglm(api00 ~ meals, subset(r1, stype == "E")))

# ---------------------------------------------------------------- domains (subset)
addglm("domain_cl_M", svyglm(api00 ~ meals + enroll, subset(d_cl, stype == "M")))
addglm("domain_clfpc_M", svyglm(api00 ~ meals + enroll, subset(d_clfpc, stype == "M")))
addglm("domain_strat_awards", svyglm(api00 ~ meals + yr.rnd, subset(d_strat, awards == "Yes")))
m <- svymean(~api00, subset(d_clfpc, stype == "M"))
add("domain_clfpc_M_mean", "api00", coef(m), SE(m))
m <- svymean(~api00, subset(d_stfpc, awards == "Yes"))
add("domain_stfpc_awards_mean", "api00", coef(m), SE(m))

# ---------------------------------------------------------------- missing values
addglm("missing_strat", svyglm(api00 ~ acs.46 + meals, d_strat))
addglm("missing_stfpc", svyglm(api00 ~ acs.46 + meals, d_stfpc))
addglm("missing_lonely_strat", svyglm(api00 ~ meals_h1, d_strat))

# ---------------------------------------------------------------- fpc
addglm("fpc_clus1_ols", svyglm(api00 ~ meals + enroll, d_clfpc))
addglm("fpc_clus1_logit", svyglm(I(awards == "Yes") ~ meals, d_clfpc, family = quasibinomial))
addglm("fpc_clus2_ols", svyglm(api00 ~ meals + ell, d_c2fpc))
addglm("fpc_strat_ols", svyglm(api00 ~ meals + yr.rnd, d_stfpc))
addglm("frac_strat_ols", svyglm(api00 ~ meals + yr.rnd, d_stfrac))
for (dn in c("d_clfpc", "d_c2fpc", "d_stfpc", "d_stfrac")) {
  d <- get(dn)
  m <- svymean(~api00, d); add(paste0(dn, "_mean"), "api00", coef(m), SE(m), degf(d))
  b <- svyby(~api00, ~awards, d, svymean)
  add(paste0(dn, "_by"), as.character(b$awards), coef(b), SE(b))
  cp <- svyciprop(~I(sch.wide == "Yes"), d, method = "logit")
  add(paste0(dn, "_prop"), "sch.wide", as.vector(cp), sqrt(attr(cp, "var")), degf(d),
      attr(cp, "ci")[1], attr(cp, "ci")[2])
}
# two groups (waves) as a domain of the design: svyttest on subset(design, ...)
tt <- svyttest(api00 ~ I(stype == "M"), subset(d_clfpc, stype %in% c("E", "M")))
add("ttest_clfpc_ME", "api00", tt$estimate, tt$estimate / tt$statistic, tt$parameter)
wcsv(do.call(rbind, rows), "design_reference.csv")

# ---------------------------------------------------------------- bundled sample
sample_dir <- file.path("..", "..", "..", "socvit", "data", "sample")
sample_panel <- file.path(sample_dir, "panel.csv")
sample_pop <- file.path(sample_dir, "bevolking.csv")
if (file.exists(sample_panel) && file.exists(sample_pop)) {
  rows <- list()
  panel <- read.csv(sample_panel, stringsAsFactors = FALSE)
  pop <- read.csv(sample_pop, stringsAsFactors = FALSE)
  p23 <- panel[panel$golf == 2023, c("resp_id", "gemeente", "kern", "leeftijdsklasse",
                                     "geslacht", "bet_1", "rapportcijfer")]
  age_labels <- c("18-34 jaar", "35-49 jaar", "50-64 jaar", "65 jaar en ouder")
  p23$leeftijdsklasse <- factor(age_labels[p23$leeftijdsklasse], levels = age_labels)
  p23$geslacht <- factor(c("man", "vrouw")[p23$geslacht], levels = c("man", "vrouw"))
  p23$bet_1[p23$bet_1 %in% c(9, 99)] <- NA
  p23$rapportcijfer[p23$rapportcijfer %in% c(99)] <- NA
  pop23 <- pop[pop$golf == 2023, ]
  pa <- aggregate(aantal ~ gemeente + leeftijdsklasse, pop23, sum); names(pa)[3] <- "Freq"
  ps <- aggregate(aantal ~ gemeente + geslacht, pop23, sum); names(ps)[3] <- "Freq"
  # raking per gemeente = raking to gemeente x leeftijdsklasse and gemeente x geslacht
  d1 <- svydesign(ids = ~1, weights = ~I(rep(1, nrow(p23))), data = p23)
  rk <- rake(d1, list(~gemeente + leeftijdsklasse, ~gemeente + geslacht), list(pa, ps),
             control = ctrl)
  addglm("sample_rake_ols", svyglm(rapportcijfer ~ bet_1, rk))
  addglm("sample_rake_domain", svyglm(rapportcijfer ~ bet_1, subset(rk, gemeente == "GM0014")))
  m <- svymean(~rapportcijfer, subset(rk, gemeente == "GM0014"), na.rm = TRUE)
  add("sample_rake_domain_mean", "rapportcijfer", coef(m), SE(m))
  wcsv(do.call(rbind, rows), "sample_design_reference.csv")
}
