# the eSNAP Li3N SNAP part (potentials/li3n_esnap.*): twojmax 6, switchflag 1, bzeroflag 0
pair_style snap
pair_coeff * * ${SNAPDIR}/li3n_esnap.snapcoeff ${SNAPDIR}/li3n_esnap.snapparam Li N
compute b all sna/atom 4.0 0.99363 6 0.5 0.7 0.1 -0.1 rmin0 0.0 switchflag 1 bzeroflag 0
