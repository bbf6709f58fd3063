# Reference values for tests/test_reliability.py, computed with R psych.
#
#   cd tests/reference/reliability && Rscript make_reference.R
#
# Writes (full precision, 17 significant digits):
#   bfi.csv            the 25 items + gender, education, age of psychTools::bfi (2,800 rows;
#                      a public data set shipped with psychTools, Revelle 2010)
#   reference.json     psych::alpha / omega / splitHalf values on bfi and, when
#                      ../../../socvit/data/sample/panel.csv exists, on the bundled sample panel;
#                      the equal-alpha test for the same people in two or three waves
#                      (Feldt 1980; Feldt, Woodruff & Salih 1987) written out here in R
# Versions used are written into reference.json ("versions").
suppressPackageStartupMessages({library(psych); library(psychTools); library(GPArotation);
                                library(jsonlite)})

bfi_x <- psychTools::bfi[, c(1:25, 26:28)]
write.csv(bfi_x, "bfi.csv", row.names = FALSE, na = "")
bfi_x <- read.csv("bfi.csv")   # exactly what Python reads

num <- function(x) unname(as.numeric(x))
cols <- function(df) { out <- lapply(as.data.frame(df), num); out$row <- rownames(df); out }

alpha_ref <- function(x, keys = NULL, ...) {
  a <- if (is.null(keys)) psych::alpha(x, warnings = FALSE, ...) else
                          psych::alpha(x, keys = keys, warnings = FALSE, ...)
  fe <- a$feldt
  list(items = colnames(x), keys = keys,
       total = lapply(a$total, num),
       alpha_drop = cols(a$alpha.drop),
       item_stats = cols(a$item.stats),
       response_freq = if (is.null(a$response.freq)) NULL else cols(a$response.freq),
       feldt = list(lower = num(fe$lower.ci), upper = num(fe$upper.ci)))
}

omega_ref <- function(x, nf, key = NULL) {
  o <- psych::omega(x, nfactors = nf, key = key, plot = FALSE)
  list(items = colnames(x), n_factors = nf, key = key,
       omega_h = o$omega_h, omega_total = o$omega.tot, alpha = o$alpha, ecv = num(o$ECV),
       omega_lim = o$omega.lim, g6 = o$G6,
       omega_group = cols(o$omega.group),
       sl = cols(o$schmid$sl), phi = unname(o$schmid$phi),
       gloading = num(o$schmid$gloading))
}

split_ref <- function(x, key) {
  s <- psych::splitHalf(x, key = key, check.keys = FALSE)
  list(items = colnames(x), key = key, maxrb = s$maxrb, minrb = s$minrb, meanr = s$meanr,
       av_r = s$av.r, med_r = s$med.r, alpha = s$alpha, lambda2 = s$lambda2,
       lambda6 = s$lambda6)
}

A <- paste0("A", 1:5); C <- paste0("C", 1:5); E <- paste0("E", 1:5)
items25 <- colnames(bfi_x)[1:25]
out <- list(versions = list(R = R.version.string, psych = as.character(packageVersion("psych")),
                            GPArotation = as.character(packageVersion("GPArotation"))))

# ---- alpha on bfi (pairwise, psych's default)
out$alpha <- list(
  bfi_A = alpha_ref(bfi_x[, A], keys = c("A1")),
  bfi_C = alpha_ref(bfi_x[, C], keys = c("C4", "C5")),
  bfi_E_nokeys = alpha_ref(bfi_x[, E]),
  bfi_A2A3 = alpha_ref(bfi_x[, c("A2", "A3")]),
  bfi_AC = alpha_ref(bfi_x[, c(A, C)], keys = c("A1", "C4", "C5")),
  bfi_A_listwise = alpha_ref(na.omit(bfi_x[, A]), keys = c("A1"))
)

# ---- weighted alpha: psych::alpha on the weighted covariance matrix (cov.wt, unbiased),
# n.obs = Kish's effective n. Complete cases of A1-A5 with A1 reversed (7 - A1);
# weight w = 1 + (age %% 7) / 3 + (gender == 2) (an arbitrary positive weight).
cc <- na.omit(bfi_x[, c(A, "age", "gender")])
xa <- cc[, A]; xa$A1 <- 7 - xa$A1
w <- 1 + (cc$age %% 7) / 3 + (cc$gender == 2)
cw <- cov.wt(xa, wt = w, method = "unbiased")
n_eff <- sum(w)^2 / sum(w^2)
aw <- psych::alpha(cw$cov, n.obs = n_eff, warnings = FALSE)
fw <- psych::alpha.ci(aw$total$raw_alpha, n_eff, 5)
out$weighted <- list(items = A, rows = nrow(cc), n_eff = n_eff, means = num(cw$center),
                     total = lapply(aw$total, num), alpha_drop = cols(aw$alpha.drop),
                     item_stats = cols(aw$item.stats),
                     feldt = list(lower = num(fw$lower.ci), upper = num(fw$upper.ci)))

# ---- omega on bfi
out$omega <- list(
  bfi25_3 = omega_ref(bfi_x[, items25], 3),
  bfi25_5 = omega_ref(bfi_x[, items25], 5),
  bfi_ACE_3 = omega_ref(bfi_x[, c(A, C, E)], 3),
  bfi_ACE_3_keyed = omega_ref(bfi_x[, c(A, C, E)], 3,
                              key = ifelse(c(A, C, E) %in% c("A1", "C4", "C5", "E1", "E2"), -1, 1)),
  bfi_AC_2 = omega_ref(bfi_x[, c(A, C)], 2),
  # one factor (a single sub-scale): psych reports omega_t ("Omega_h for 1 factor is not
  # meaningful"); two items: one factor of two items
  bfi_A_1_keyed = omega_ref(bfi_x[, A], 1, key = c(-1, 1, 1, 1, 1)),
  bfi_A_1 = omega_ref(bfi_x[, A], 1),
  bfi_A2A3_1 = omega_ref(bfi_x[, c("A2", "A3")], 1),
  bfi_A2A3A4_1 = omega_ref(bfi_x[, c("A2", "A3", "A4")], 1),
  # two factors of four items: -1 degrees of freedom, psych's optimiser path decides
  bfi_C1C4_2 = omega_ref(bfi_x[, C[1:4]], 2)
)

# ---- splitHalf on bfi (keys given explicitly, no automatic reversal)
k <- function(items, rev) ifelse(items %in% rev, -1, 1)
rev_bfi <- c("A1", "C4", "C5", "E1", "E2", "O2", "O5")
out$splithalf <- list(
  bfi_A = split_ref(bfi_x[, A], k(A, rev_bfi)),
  bfi_AC = split_ref(bfi_x[, c(A, C)], k(c(A, C), rev_bfi)),
  bfi_ACE = split_ref(bfi_x[, c(A, C, E)], k(c(A, C, E), rev_bfi)),
  bfi_16 = split_ref(bfi_x[, items25[1:16]], k(items25[1:16], rev_bfi))
)

# ---- the bundled sample panel (missing codes 9 and 99 -> NA, from the codebook)
panel_csv <- "../../../socvit/data/sample/panel.csv"
if (file.exists(panel_csv)) {
  cb <- yaml::read_yaml("../../../socvit/data/sample/codebook.yaml")
  p <- read.csv(panel_csv, colClasses = c(gemeente = "character", kern = "character",
                                           resp_id = "character"))
  for (v in cb$variables) {
    if (!is.null(v$missing) && v$name %in% names(p)) {
      m <- v$missing
      codes <- if (is.character(m)) names(cb$missing_sets[[m]]) else names(m)
      p[[v$name]][p[[v$name]] %in% as.numeric(codes)] <- NA
    }
  }
  sc <- cb$scales
  out$sample <- list(panel_md5 = unname(tools::md5sum(panel_csv)), alpha = list(),
                     omega = list(), splithalf = list())
  for (s in names(sc)) {
    it <- unlist(sc[[s]]$items); rv <- unlist(sc[[s]]$reverse)
    out$sample$alpha[[s]] <- alpha_ref(p[, it], keys = if (length(rv)) rv else NULL)
    out$sample$alpha[[s]]$min_valid <- sc[[s]]$min_valid
  }
  g <- p[p$golf == max(p$golf), ]
  out$sample$alpha_golf_last <- alpha_ref(g[, unlist(sc$betrokkenheid$items)], keys = "bet_3")
  ok <- unlist(sc$organisatiekracht$items); okr <- unlist(sc$organisatiekracht$reverse)
  out$sample$omega$organisatiekracht_3 <- omega_ref(p[, ok], 3, key = k(ok, okr))
  out$sample$omega$organisatiekracht_4 <- omega_ref(p[, ok], 4, key = k(ok, okr))
  out$sample$splithalf$organisatiekracht <- split_ref(p[, ok], k(ok, okr))
  bet <- unlist(sc$betrokkenheid$items); betk <- k(bet, unlist(sc$betrokkenheid$reverse))
  out$sample$omega$betrokkenheid_2 <- omega_ref(p[, bet], 2)        # all waves, as the issue
  out$sample$omega$betrokkenheid_2_golf_last <- omega_ref(g[, bet], 2, key = betk)
  out$sample$omega$betrokkenheid_1_golf_last <- omega_ref(g[, bet], 1, key = betk)
  out$sample$omega$animo_1 <- omega_ref(p[, unlist(sc$animo$items)], 1)

  # ---- the same people in several waves: Feldt (1980) for two dependent alphas,
  # Feldt, Woodruff & Salih (1987) for K, written out from the papers (cocron is not on this
  # machine; cocron.two/n.coefficients(indep = FALSE) compute the same). The people are those
  # with at least one valid betrokkenheid answer in every wave compared; alpha per wave
  # on them (psych::alpha, pairwise); r the correlation of their scale scores (the mean of
  # the valid keyed items, psych::alpha's scores) between waves.
  feldt1980 <- function(a1, a2, n, r) {
    t <- abs(a1 - a2) * sqrt(n - 2) / sqrt(4 * (1 - a1) * (1 - a2) * (1 - r^2))
    list(statistic = t, df = n - 2, p = 2 * pt(t, n - 2, lower.tail = FALSE))
  }
  fws1987_dep <- function(a, n, items, r) {   # items: one per test; r: their scores' correlations
    m <- length(a); u <- (1 - a)^(-1/3)
    jh <- m / sum(1 / items)                        # harmonic mean of the test lengths
    nt <- (jh - 1) * n / (jh + 1)
    v <- 2 / (9 * (nt - 1) * (1 - a)^(2/3))
    cv <- outer(seq_len(m), seq_len(m), function(i, j)
      2 * r[cbind(i, j)]^2 / (9 * (nt - 1) * (1 - a[i])^(1/3) * (1 - a[j])^(1/3)))
    chi <- sum((u - mean(u))^2) / (mean(v) - mean(cv[upper.tri(cv)]))
    list(statistic = chi, df = m - 1, p = pchisq(chi, m - 1, lower.tail = FALSE))
  }
  waves_ref <- function(golven) {
    answered <- lapply(golven, function(y) {
      d <- p[p$golf == y, ]; d[rowSums(!is.na(d[, bet])) > 0, ] })
    ids <- Reduce(intersect, lapply(answered, function(d) d$resp_id))
    ids <- sort(ids)
    per <- lapply(answered, function(d) d[match(ids, d$resp_id), bet])
    al <- lapply(per, function(x) psych::alpha(x, keys = "bet_3", warnings = FALSE))
    a <- sapply(al, function(x) x$total$raw_alpha)
    scores <- sapply(al, function(x) as.numeric(x$scores))
    r <- cor(scores)
    n <- length(ids)
    test <- if (length(golven) == 2) feldt1980(a[1], a[2], n, r[1, 2]) else
      fws1987_dep(a, n, rep(length(bet), length(a)), r)
    list(waves = golven, n = n, alpha = a, std_alpha = sapply(al, function(x) x$total$std.alpha),
         r = r, statistic = test$statistic, df = test$df, p = test$p)
  }
  out$sample$waves <- list(w2021_2023 = waves_ref(c(2021, 2023)),
                           w2019_2021_2023 = waves_ref(c(2019, 2021, 2023)))
}
# Published examples of the dependent tests, by the same R functions (checks of the formulas):
# Charter & Feldt (1996): alphas .82 and .89 of 27 people, r = .74 -> t = 1.849 (df 25);
# Feldt, Woodruff & Salih (1987): four tests of 50, 40, 35, 25 items, 100 people -> 10.66.
if (exists("feldt1980")) {
  rr <- rbind(c(1, .8, .6, .75), c(.8, 1, .65, .7), c(.6, .65, 1, .55), c(.75, .7, .55, 1))
  out$published <- list(charter_feldt_1996 = feldt1980(.82, .89, 27, .74),
                        fws_1987 = fws1987_dep(c(.857, .875, .800, .833), 100,
                                               c(50, 40, 35, 25), rr))
}

# jsonlite prints at most 15 significant digits: write numbers verbatim with %.17g.
full <- function(v) {
  if (is.matrix(v) && is.numeric(v)) return(lapply(seq_len(nrow(v)), function(i) full(v[i, ])))
  if (is.list(v)) return(lapply(v, full))
  if (is.numeric(v) || is.logical(v) && all(is.na(v))) {
    s <- ifelse(is.na(v), "null", sprintf("%.17g", as.numeric(v)))
    return(structure(if (length(v) == 1) s else paste0("[", paste(s, collapse = ", "), "]"),
                     class = "json"))
  }
  v
}
writeLines(toJSON(full(out), auto_unbox = TRUE, null = "null", json_verbatim = TRUE,
                  pretty = TRUE), "reference.json")
cat("wrote reference.json\n")
