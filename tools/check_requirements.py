"""Exit 0 when every requirement of a pip requirements file is installed in this interpreter at an accepted
version, 1 otherwise (tools/setup.sh uses it to skip pip when nothing is missing)."""
import sys
from importlib import metadata

try:
    from packaging.requirements import Requirement
except ImportError:  # pip vendors packaging
    from pip._vendor.packaging.requirements import Requirement


def main(path):
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            req = Requirement(line)
            try:
                have = metadata.version(req.name)
            except metadata.PackageNotFoundError:
                return 1
            if req.specifier and not req.specifier.contains(have, prereleases=True):
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
