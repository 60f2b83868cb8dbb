# random two-element model at the largest supported twojmax: 14, switchflag 1, bzeroflag 0, rmin0 0.5 (tests/data/snap_tj14.*)
pair_style snap
pair_coeff * * ${SNAPDIR}/snap_tj14.snapcoeff ${SNAPDIR}/snap_tj14.snapparam Li N
compute b all sna/atom 4.0 0.99363 14 0.5 0.7 0.1 -0.1 rmin0 0.5 switchflag 1 bzeroflag 0
