# Reference values for socvit.panel (retention, attrition) from R's survey package.
#
# Run from this directory:  Rscript make_attrition_reference.R
# Reads the bundled sample (socvit/data/sample/panel.csv, bevolking.csv); writes, at full
# precision (digits = 17):
#   retention.csv    per wave pair (and by leeftijdsklasse as svyby domains, and weighted
#                    with a design) the
#                    members of wave A, those also in B, svyciprop(method = "logit") and its
#                    interval (survey 4.x; ids = ~1 unweighted)
#   attrition.csv    svyglm(blijft ~ leeftijd + opleiding + geslacht + rapportcijfer + ber_1,
#                    family = quasibinomial) on wave 2021 (blijft: also in 2023), design
#                    svydesign(ids = ~kern, strata = ~gemeente, weights = ~w, nest = TRUE),
#                    w = post-stratification weight N(gemeente, leeftijdsklasse) / n in 2021
#   attrition_domain.csv  the same logit on subset(design of all waves, golf == 2021)
#   stayers.csv      svyby(~y, ~blijft, design, svymean) and svyttest(y ~ blijft, design) for
#                    y = rapportcijfer and ber_1 on the same design
suppressPackageStartupMessages(library(survey))
options(digits = 17)
p <- read.csv("../../../socvit/data/sample/panel.csv", stringsAsFactors = FALSE)
pop <- read.csv("../../../socvit/data/sample/bevolking.csv", stringsAsFactors = FALSE)
klassen <- c("18-34 jaar", "35-49 jaar", "50-64 jaar", "65 jaar en ouder")
p$opleiding[p$opleiding == 99] <- NA
p$rapportcijfer[p$rapportcijfer == 99] <- NA
p$ber_1[p$ber_1 %in% c(9, 99)] <- NA
p$klasse <- klassen[p$leeftijdsklasse]
f17 <- function(x) format(x, digits = 17)

wave_a <- function(a, b) {
  d <- p[p$golf == a, ]
  d$blijft <- as.integer(d$resp_id %in% p$resp_id[p$golf == b])
  d
}

# ------------------------------------------------------------------ retention
rows <- list()
add <- function(a, b, group, d, des) {
  ci <- svyciprop(~blijft, des, method = "logit")
  lim <- attr(ci, "ci")
  rows[[length(rows) + 1]] <<- data.frame(wave_a = a, wave_b = b, group = group,
    n_a = nrow(d), n_both = sum(d$blijft), retention = f17(as.numeric(ci)),
    ci_lower = f17(lim[1]), ci_upper = f17(lim[2]))
}
for (pr in list(c(2017, 2019), c(2019, 2021), c(2021, 2023), c(2017, 2023))) {
  d <- wave_a(pr[1], pr[2])
  add(pr[1], pr[2], "", d, svydesign(ids = ~1, data = d))
}
d <- wave_a(2021, 2023)
# by age class at wave A: domains of the whole wave's design (svyby), not separate designs
by <- svyby(~blijft, ~klasse, svydesign(ids = ~1, data = d), svyciprop, method = "logit",
            vartype = "ci")
for (k in klassen) {
  rows[[length(rows) + 1]] <- data.frame(wave_a = 2021, wave_b = 2023, group = k,
    n_a = sum(d$klasse == k), n_both = sum(d$blijft[d$klasse == k]),
    retention = f17(by[k, "blijft"]), ci_lower = f17(by[k, "ci_l"]),
    ci_upper = f17(by[k, "ci_u"]))
}
# weighted: post-stratification weights of wave 2021, strata gemeente, clusters kern
ps <- aggregate(aantal ~ gemeente + leeftijdsklasse, data = pop[pop$golf == 2021, ], FUN = sum)
cell <- paste(d$gemeente, d$klasse)
n_cell <- table(cell)
N_cell <- setNames(ps$aantal, paste(ps$gemeente, ps$leeftijdsklasse))
d$w <- as.numeric(N_cell[cell] / n_cell[cell])
des <- svydesign(ids = ~kern, strata = ~gemeente, weights = ~w, data = d, nest = TRUE)
add(2021, 2023, "weighted", d, des)
write.csv(do.call(rbind, rows), "retention.csv", row.names = FALSE)

# ------------------------------------------------------------------ attrition logit
m <- svyglm(blijft ~ leeftijd + factor(opleiding) + factor(geslacht) + rapportcijfer + ber_1,
            design = des, family = quasibinomial(),
            control = glm.control(epsilon = 1e-14, maxit = 100))   # converged to the last digits
s <- summary(m)$coefficients
ci <- confint(m)      # Wald, t with the design's residual df (survey 4.x default)
write.csv(data.frame(term = rownames(s), estimate = f17(s[, 1]), se = f17(s[, 2]),
                     p = f17(s[, 4]), ci_lower = f17(ci[, 1]), ci_upper = f17(ci[, 2]),
                     n = nobs(m), df_resid = m$df.residual),
          "attrition.csv", row.names = FALSE)

# ------------------------------------------------------------------ stayers vs leavers
out <- list()
for (y in c("rapportcijfer", "ber_1")) {
  f <- as.formula(paste0("~", y))
  by <- svyby(f, ~blijft, des, svymean, na.rm = TRUE)
  tt <- svyttest(as.formula(paste0(y, " ~ blijft")), des)
  out[[y]] <- data.frame(outcome = y, mean_leavers = f17(coef(by)[1]),
                         mean_stayers = f17(coef(by)[2]), difference = f17(tt$estimate),
                         se = f17(tt$estimate / tt$statistic), p = f17(tt$p.value),
                         df = tt$parameter)
}
write.csv(do.call(rbind, out), "stayers.csv", row.names = FALSE)

# ------------------------------------------------------------------ a design of the whole panel
# the same logit on wave 2021 as a domain of a design of all waves (weights: wave 2021's
# post-stratification weights, 1 in the other waves): svyglm on subset(design, golf == 2021)
full <- p
full$w <- 1
full$w[full$golf == 2021] <- d$w[match(full$resp_id[full$golf == 2021], d$resp_id)]
full$blijft <- NA
full$blijft[full$golf == 2021] <- d$blijft[match(full$resp_id[full$golf == 2021], d$resp_id)]
des_full <- svydesign(ids = ~kern, strata = ~gemeente, weights = ~w, data = full, nest = TRUE)
m2 <- svyglm(blijft ~ leeftijd + factor(opleiding) + factor(geslacht) + rapportcijfer + ber_1,
             design = subset(des_full, golf == 2021), family = quasibinomial(),
             control = glm.control(epsilon = 1e-14, maxit = 100))
s2 <- summary(m2)$coefficients
write.csv(data.frame(term = rownames(s2), estimate = f17(s2[, 1]), se = f17(s2[, 2]),
                     p = f17(s2[, 4]), n = nobs(m2), df_resid = m2$df.residual),
          "attrition_domain.csv", row.names = FALSE)
