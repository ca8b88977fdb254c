"""Compare bank dumps of bench/answers.py: several runs of the old code against runs of the new.

    python bench/answers_compare.py OLD1.txt,OLD2.txt,… NEW1.txt,NEW2.txt,…

A handful of lines vary between runs of the same code (the order of objects SymPy hashes by
identity decides whether a constant is factored out); a line of the new code passes when it is
one the old code printed in some run. Prints the lines the old runs vary on, and any line of
the new code outside every old variant (there should be none)."""
import sys
base = [open(f).read().splitlines() for f in sys.argv[1].split(',')]
mine = [open(f).read().splitlines() for f in sys.argv[2].split(',')]
n = {len(b) for b in base} | {len(m) for m in mine}
assert len(n) == 1, n
unstable = [i for i in range(len(base[0])) if len({b[i] for b in base}) > 1]
bad = [(k, i) for k, m in enumerate(mine) for i in range(len(m)) if m[i] not in {b[i] for b in base}]
print(f"{len(base[0])} lines; base runs vary on {len(unstable)} lines {[i+1 for i in unstable]}; "
      f"lines of the new code outside every base variant: {[(k, i+1) for k, i in bad]}")
