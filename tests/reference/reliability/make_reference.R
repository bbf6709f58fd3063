# Reference values for tests/test_reliability.py, computed with R psych.
#
#   cd tests/reference/reliability && Rscript make_reference.R
#
# Writes (full precision, 17 significant digits):
#   bfi.csv            the 25 items + gender, education, age of psychTools::bfi (2,800 rows;
#                      a public data set shipped with psychTools, Revelle 2010)
#   reference.json     psych::alpha / omega / splitHalf values on bfi and, when
#                      ../../../data/sample/panel.csv exists, on the bundled sample panel
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
  bfi_AC_2 = omega_ref(bfi_x[, c(A, C)], 2)
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
panel_csv <- "../../../data/sample/panel.csv"
if (file.exists(panel_csv)) {
  cb <- yaml::read_yaml("../../../data/sample/codebook.yaml")
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
