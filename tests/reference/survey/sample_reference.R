# Reference values on the bundled synthetic sample (data/sample): the 2023 wave raked per
# gemeente to bevolking.csv with survey::rake, and svymean / svyciprop / svyttest on the
# raked weights (ids = ~1). Sourced by make_reference.R when data/sample exists.
panel <- read.csv(sample_panel, stringsAsFactors = FALSE)
pop <- read.csv(sample_pop, stringsAsFactors = FALSE)
p23 <- panel[panel$golf == 2023, c("resp_id", "gemeente", "leeftijdsklasse", "geslacht",
                                   "bet_1", "rapportcijfer")]
age_labels <- c("18-34 jaar", "35-49 jaar", "50-64 jaar", "65 jaar en ouder")
p23$leeftijdsklasse <- factor(age_labels[p23$leeftijdsklasse], levels = age_labels)
p23$geslacht <- factor(c("man", "vrouw")[p23$geslacht], levels = c("man", "vrouw"))
p23$bet_1[p23$bet_1 %in% c(9, 99)] <- NA
p23$rapportcijfer[p23$rapportcijfer %in% c(99)] <- NA
pop23 <- pop[pop$golf == 2023, ]
p23$w <- NA_real_
for (g in sort(unique(p23$gemeente))) {
  idx <- p23$gemeente == g
  pg <- pop23[pop23$gemeente == g, ]
  m1 <- aggregate(aantal ~ leeftijdsklasse, pg, sum); names(m1)[2] <- "Freq"
  m2 <- aggregate(aantal ~ geslacht, pg, sum); names(m2)[2] <- "Freq"
  dd <- svydesign(ids = ~1, weights = ~I(rep(1, sum(idx))), data = p23[idx, ])
  p23$w[idx] <- weights(rake(dd, list(~leeftijdsklasse, ~geslacht), list(m1, m2),
                             control = ctrl))
}
wcsv(p23[, c("resp_id", "gemeente", "w")], "sample_rake_2023.csv")

rows <- list()
d <- svydesign(ids = ~1, weights = ~w, data = p23)
d <- update(d, eens = bet_1 %in% 4:5, gm14 = gemeente == "GM0014")
b <- svyby(~rapportcijfer, ~gemeente, d, svymean, na.rm = TRUE)
ci <- confint(b)
add("sample", "mean", "rapportcijfer", "gemeente", b$gemeente, coef(b), SE(b), ci[, 1], ci[, 2])
# proportion (helemaal) mee eens on bet_1, among those who answered
b <- svyby(~eens, ~gemeente, subset(d, !is.na(bet_1)), svyciprop, method = "logit",
           vartype = c("se", "ci"))
add("sample", "prop_logit", "bet_1", "gemeente", b$gemeente, coef(b), SE(b), b$ci_l, b$ci_u)
tt <- svyttest(rapportcijfer ~ gm14, d)
add("sample", "cmp_rest", "rapportcijfer", "gemeente", "GM0014", tt$estimate,
    tt$estimate / tt$statistic, p = tt$p.value, df = tt$parameter)
# calibrated: raking per gemeente = raking to the margins gemeente x leeftijdsklasse and
# gemeente x geslacht; svyby on that design gives the calibrated standard errors
pa <- aggregate(aantal ~ gemeente + leeftijdsklasse, pop23, sum); names(pa)[3] <- "Freq"
ps <- aggregate(aantal ~ gemeente + geslacht, pop23, sum); names(ps)[3] <- "Freq"
d1 <- svydesign(ids = ~1, weights = ~I(rep(1, nrow(p23))), data = p23)
rk <- rake(d1, list(~gemeente + leeftijdsklasse, ~gemeente + geslacht), list(pa, ps),
           control = ctrl)
stopifnot(max(abs(weights(rk) / p23$w - 1)) < 1e-9)
b <- svyby(~rapportcijfer, ~gemeente, rk, svymean, na.rm = TRUE)
ci <- confint(b)
add("sample_cal", "mean", "rapportcijfer", "gemeente", b$gemeente, coef(b), SE(b), ci[, 1], ci[, 2])
m <- svymean(~rapportcijfer, rk, na.rm = TRUE)
add("sample_cal", "mean", "rapportcijfer", "", "", coef(m), SE(m), confint(m)[1], confint(m)[2])
wcsv(do.call(rbind, rows), "sample_estimates.csv")
