# random two-element model: twojmax 8, switchflag 0, bzeroflag 1, rmin0 0.3, rfac0 0.95 (tests/data/snap_tj8.*)
pair_style snap
pair_coeff * * ${SNAPDIR}/snap_tj8.snapcoeff ${SNAPDIR}/snap_tj8.snapparam Li N
compute b all sna/atom 4.5 0.95 8 0.45 0.6 0.4 -0.7 rmin0 0.3 switchflag 0 bzeroflag 1
