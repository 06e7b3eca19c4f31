# shellcheck shell=bash
# How a log copied from a node crosses the network (LogTransfer.cs): compressed with the cheapest compressor the node
# has (zstd, else gzip, else none), one frame per call of gu_pack. Functions only: sent ahead of the script using them.

# Chooses the compressor and announces it on the first line of stdout; with "no" (this machine: nothing crosses a
# network) copies as it is.
gu_select_pack() {
  if [ "$1" = yes ] && command -v zstd > /dev/null 2>&1; then gu_encoding=zstd
  elif [ "$1" = yes ] && command -v gzip > /dev/null 2>&1; then gu_encoding=gzip
  else gu_encoding=none; fi
  echo "GU-ENCODING $gu_encoding"
}

# Copies stdin to stdout as one frame of the chosen encoding.
gu_pack() {
  case "$gu_encoding" in
    zstd) zstd -1 -q -c ;;
    gzip) gzip -1 -c ;;
    *) cat ;;
  esac
}
