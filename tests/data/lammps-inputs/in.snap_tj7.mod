# random two-element model: odd twojmax 7, switchflag 1, bzeroflag 1, rfac0 0.9 (tests/data/snap_tj7.*)
pair_style snap
pair_coeff * * ${SNAPDIR}/snap_tj7.snapcoeff ${SNAPDIR}/snap_tj7.snapparam Li N
compute b all sna/atom 4.2 0.9 7 0.5 0.65 1.0 0.5 rmin0 0.0 switchflag 1 bzeroflag 1
