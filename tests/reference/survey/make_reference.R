# Reference values for socvit.weighting / socvit.estimates from R's survey package.
#
# Run from this directory:  Rscript make_reference.R
# Writes (full precision, digits = 17):
#   apistrat.csv, apiclus1.csv   extracts of survey's api data (data(api)), the input data
#   rake_weights.csv             survey::rake weights (one column per case, row = school)
#   estimates.csv                svymean / svyby / svyciprop / svyttest / svycontrast values
#   sample_rake_2023.csv         the bundled sample's 2023 wave raked per gemeente (if present)
suppressPackageStartupMessages(library(survey))
options(digits = 17)
data(api)
keep <- c("snum", "stype", "dnum", "cname", "api00", "api99", "sch.wide", "awards",
          "yr.rnd", "meals", "acs.46", "enroll", "pw")
st <- apistrat[, keep]
cl <- apiclus1[, keep]
wcsv <- function(x, file) write.csv(format(x, digits = 17, trim = TRUE), file, row.names = FALSE, quote = TRUE)
write.csv(st, "apistrat.csv", row.names = FALSE)
write.csv(cl, "apiclus1.csv", row.names = FALSE)
ctrl <- list(maxit = 1000, epsilon = 1e-13)

# ------------------------------------------------------------------ raking
pop.types <- data.frame(stype = c("E", "H", "M"), Freq = c(4421, 755, 1018))
pop.schwide <- data.frame(sch.wide = c("No", "Yes"), Freq = c(1072, 5122))
pop.awards <- as.data.frame(table(awards = apipop$awards))
names(pop.awards)[2] <- "Freq"

d_st <- svydesign(ids = ~1, weights = ~pw, data = st)
d_cl <- svydesign(ids = ~dnum, weights = ~pw, data = cl)
r1 <- rake(d_st, list(~stype, ~sch.wide), list(pop.types, pop.schwide), control = ctrl)
r2 <- rake(d_cl, list(~stype, ~sch.wide), list(pop.types, pop.schwide), control = ctrl)
r3 <- rake(d_st, list(~stype, ~sch.wide, ~awards), list(pop.types, pop.schwide, pop.awards),
           control = ctrl)
# unweighted start (no base weight), three margins
d_st1 <- svydesign(ids = ~1, data = st, weights = ~I(rep(1, nrow(st))))
r4 <- rake(d_st1, list(~stype, ~sch.wide, ~awards), list(pop.types, pop.schwide, pop.awards),
           control = ctrl)
# per group: each stype raked to its own sch.wide and yr.rnd totals from apipop
w_by <- numeric(nrow(st))
for (s in levels(st$stype)) {
  idx <- st$stype == s
  pp <- apipop[apipop$stype == s, ]
  m1 <- as.data.frame(table(sch.wide = pp$sch.wide)); names(m1)[2] <- "Freq"
  m2 <- as.data.frame(table(awards = pp$awards)); names(m2)[2] <- "Freq"
  dd <- svydesign(ids = ~1, weights = ~pw, data = st[idx, ])
  w_by[idx] <- weights(rake(dd, list(~sch.wide, ~awards), list(m1, m2), control = ctrl))
}
by_margins <- do.call(rbind, lapply(levels(st$stype), function(s) {
  pp <- apipop[apipop$stype == s, ]
  rbind(data.frame(stype = s, column = "sch.wide", category = names(table(pp$sch.wide)),
                   total = as.vector(table(pp$sch.wide))),
        data.frame(stype = s, column = "awards", category = names(table(pp$awards)),
                   total = as.vector(table(pp$awards))))
}))
write.csv(by_margins, "rake_by_margins.csv", row.names = FALSE)
rw <- data.frame(snum_st = st$snum, st_2m = weights(r1), st_3m = weights(r3),
                 st_3m_unweighted = weights(r4), st_by_stype = w_by)
wcsv(rw, "rake_weights_apistrat.csv")
wcsv(data.frame(snum_cl = cl$snum, cl_2m = weights(r2)), "rake_weights_apiclus1.csv")

# ------------------------------------------------------------------ estimates
rows <- list()
add <- function(design, stat, variable, by, group, est, se, lo = NA, hi = NA, p = NA, df = NA) {
  rows[[length(rows) + 1]] <<- data.frame(design = design, stat = stat, variable = variable,
    by = by, group = as.character(group), estimate = as.numeric(est), se = as.numeric(se),
    ci_lower = as.numeric(lo), ci_upper = as.numeric(hi), p = as.numeric(p), df = as.numeric(df))
}
designs <- list(
  ids1 = svydesign(ids = ~1, weights = ~pw, data = st),
  strat = svydesign(ids = ~1, strata = ~stype, weights = ~pw, data = st),
  stratclus = svydesign(ids = ~dnum, strata = ~stype, weights = ~pw, data = st, nest = TRUE),
  clus = svydesign(ids = ~dnum, weights = ~pw, data = cl),
  raked = svydesign(ids = ~1, weights = ~w, data = transform(st, w = weights(r1)))
)
for (dn in names(designs)) {
  d <- designs[[dn]]
  d <- update(d, yes = as.numeric(sch.wide == "Yes"))
  for (v in c("api00", "acs.46")) {
    m <- svymean(as.formula(paste0("~", v)), d, na.rm = TRUE)
    ci <- confint(m)
    add(dn, "mean", v, "", "", coef(m), SE(m), ci[1], ci[2])
    b <- svyby(as.formula(paste0("~", v)), ~awards, d, svymean, na.rm = TRUE)
    ci <- confint(b)
    add(dn, "mean", v, "awards", b$awards, coef(b), SE(b), ci[, 1], ci[, 2])
  }
  for (meth in c("logit", "xlogit", "beta")) {
    cp <- svyciprop(~I(sch.wide == "Yes"), d, method = meth)
    ci <- attr(cp, "ci")
    add(dn, paste0("prop_", meth), "sch.wide", "", "", as.vector(cp), sqrt(attr(cp, "var")),
        ci[1], ci[2], df = degf(d))
    b <- svyby(~I(sch.wide == "Yes"), ~yr.rnd, d, svyciprop, method = meth, vartype = c("se", "ci"))
    add(dn, paste0("prop_", meth), "sch.wide", "yr.rnd", b$yr.rnd, coef(b), SE(b),
        b$ci_l, b$ci_u)
  }
  # distribution of a categorical variable (every category's share)
  if (dn != "clus") {
    m <- svymean(~awards, d)
    add(dn, "dist", "awards", "", sub("awards", "", names(coef(m))), coef(m), SE(m))
  }
  m <- svymean(~cname3, update(d, cname3 = factor(ifelse(cname %in% c("Los Angeles", "San Diego"), cname, "other"))))
  add(dn, "dist", "cname3", "", sub("cname3", "", names(coef(m))), coef(m), SE(m))
  b <- svyby(~yr.rnd, ~awards, d, svymean)
  add(dn, "dist_by", "yr.rnd", "awards",
      sub(":yr.rnd", "|", names(coef(b))), coef(b), as.vector(as.matrix(SE(b))))
  # comparisons: stype E against the rest (svyttest), against H (svycontrast on svyby),
  # against all (svycontrast on svytotal)
  tt <- svyttest(api00 ~ I(stype == "E"), d)
  add(dn, "cmp_rest", "api00", "stype", "E", tt$estimate, tt$estimate / tt$statistic,
      p = tt$p.value, df = tt$parameter)
  tt <- svyttest(yes ~ I(stype == "E"), d)
  add(dn, "cmpprop_rest", "sch.wide", "stype", "E", tt$estimate, tt$estimate / tt$statistic,
      p = tt$p.value, df = tt$parameter)
  b <- svyby(~api00, ~stype, d, svymean, covmat = TRUE)
  cc <- svycontrast(b, c(E = 1, H = -1, M = 0))
  add(dn, "cmp_H", "api00", "stype", "E", coef(cc), SE(cc))
  dd <- update(d, yE = api00 * (stype == "E"), iE = as.numeric(stype == "E"), one = 1)
  tot <- svytotal(~yE + iE + api00 + one, dd)
  cc <- svycontrast(tot, quote(yE / iE - api00 / one))
  add(dn, "cmp_all", "api00", "stype", "E", coef(cc), SE(cc))
  add(dn, "degf", "", "", "", degf(d), NA)
}
# calibrated standard errors: svymean etc. on the rake()d designs themselves
cal <- list(cal_st = r1, cal_cl = r2)
for (dn in names(cal)) {
  d <- cal[[dn]]
  for (v in c("api00", "acs.46")) {
    m <- svymean(as.formula(paste0("~", v)), d, na.rm = TRUE)
    ci <- confint(m)
    add(dn, "mean", v, "", "", coef(m), SE(m), ci[1], ci[2])
    b <- svyby(as.formula(paste0("~", v)), ~awards, d, svymean, na.rm = TRUE)
    ci <- confint(b)
    add(dn, "mean", v, "awards", b$awards, coef(b), SE(b), ci[, 1], ci[, 2])
  }
  cp <- svyciprop(~I(awards == "Yes"), d, method = "logit")
  add(dn, "prop_logit", "awards", "", "", as.vector(cp), sqrt(attr(cp, "var")),
      attr(cp, "ci")[1], attr(cp, "ci")[2])
  m <- svymean(~sch.wide, d)     # a raking margin: reproduced exactly, SE 0
  add(dn, "dist", "sch.wide", "", sub("sch.wide", "", names(coef(m))), coef(m), SE(m))
  tt <- svyttest(api00 ~ I(stype == "E"), d)
  add(dn, "cmp_rest", "api00", "stype", "E", tt$estimate, tt$estimate / tt$statistic,
      p = tt$p.value, df = tt$parameter)
}
est <- do.call(rbind, rows)
wcsv(est, "estimates.csv")

# ------------------------------------------------------------------ bundled sample
sample_panel <- file.path("..", "..", "..", "socvit", "data", "sample", "panel.csv")
sample_pop <- file.path("..", "..", "..", "socvit", "data", "sample", "bevolking.csv")
if (file.exists(sample_panel) && file.exists(sample_pop)) {
  source("sample_reference.R")
}
