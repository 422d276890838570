#!/usr/bin/env bash
# Mutation testing of the modules where a silent bug corrupts data (docs/mutation.md): mutmut 3 plants one
# small bug at a time (a flipped comparison, an off-by-one, a dropped argument …) and runs the tests that
# cover the mutated function; a mutant no test notices is a hole in the suite.
#
#   scripts/mutation.sh [GROUP…]      # default: every group below; `scripts/mutation.sh --list` names them
#
# Slow (minutes to an hour per group on 2 cores) and so not part of CI: run it before a release, or after
# changing one of these modules, and record the kill rates in docs/mutation.md. It runs under `nice -n 19`,
# in a scratch copy of the work tree per group ($OGI_MUTATION_DIR, default /tmp/ogi-mutation/<group>):
# mutated code never touches the work tree. Results stay there: `cd $OGI_MUTATION_DIR/<group> &&
# ../../../path/to/.venv/bin/mutmut show <mutant>` shows one mutant's diff.
#
# Accepted equivalent mutants (a change no test can or should tell apart) are listed, each with its
# reason, in scripts/mutation-equivalent.txt; the summary counts them apart from real survivors.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv=$root/.venv/bin
work=${OGI_MUTATION_DIR:-/tmp/ogi-mutation}

# group | files to mutate (globs) | tests that may kill them (fast unit tests: each mutant runs only the
# tests that call the mutated function, in a process forked from one that imported everything)
GROUPS_TABLE="
repair       | extract/repair.py                          | tests/test_extract_repair.py tests/test_repair_units.py tests/test_mutation_holes.py
stats-grid   | extract/stats/grid_tables.py extract/stats/checks.py extract/tables.py | tests/test_extract_stats_checks.py tests/test_stats_checks_units.py tests/test_table4_units.py tests/test_text_table_lines.py tests/test_tables.py tests/test_extract_stats_tables.py tests/test_extract_stats_narrative.py tests/test_extract_stats_seeds.py tests/test_extract_text_tables.py tests/test_extract_precision.py tests/test_extract_real_cases.py tests/test_extract_seeds.py tests/test_mut_stats_table3.py tests/test_mut_stats_grid.py tests/test_mut_stats_tables.py tests/test_mut_stats_glued.py tests/test_mut_stats_text_tables.py tests/test_mut_stats_legacy.py tests/test_mut_stats_narrative.py tests/test_mut_stats_keys.py tests/test_mut_stats_find_numbers.py tests/test_mut_stats_analyze.py
stats-text   | extract/stats/narrative.py extract/stats/text_tables.py extract/stats/glued.py extract/stats/legacy.py | tests/test_extract_stats_checks.py tests/test_stats_checks_units.py tests/test_table4_units.py tests/test_text_table_lines.py tests/test_tables.py tests/test_extract_stats_tables.py tests/test_extract_stats_narrative.py tests/test_extract_stats_seeds.py tests/test_extract_text_tables.py tests/test_extract_precision.py tests/test_extract_real_cases.py tests/test_extract_seeds.py tests/test_mut_stats_table3.py tests/test_mut_stats_grid.py tests/test_mut_stats_tables.py tests/test_mut_stats_glued.py tests/test_mut_stats_text_tables.py tests/test_mut_stats_legacy.py tests/test_mut_stats_narrative.py tests/test_mut_stats_keys.py tests/test_mut_stats_find_numbers.py tests/test_mut_stats_analyze.py
stats-keys   | extract/stats/base.py extract/stats/keys.py extract/stats/__init__.py | tests/test_extract_stats_checks.py tests/test_stats_checks_units.py tests/test_table4_units.py tests/test_text_table_lines.py tests/test_tables.py tests/test_extract_stats_tables.py tests/test_extract_stats_narrative.py tests/test_extract_stats_seeds.py tests/test_extract_text_tables.py tests/test_extract_precision.py tests/test_extract_real_cases.py tests/test_extract_seeds.py tests/test_mut_stats_table3.py tests/test_mut_stats_grid.py tests/test_mut_stats_tables.py tests/test_mut_stats_glued.py tests/test_mut_stats_text_tables.py tests/test_mut_stats_legacy.py tests/test_mut_stats_narrative.py tests/test_mut_stats_keys.py tests/test_mut_stats_find_numbers.py tests/test_mut_stats_analyze.py
hanweb       | crawler/spiders/hanweb.py                  | tests/test_family_hanweb.py tests/test_mutation_holes.py
antibot      | crawler/antibot.py                         | tests/test_antibot_classify.py
incremental  | crawler/incremental.py                     | tests/test_incremental_units.py
store        | corpus/reports.py                          | tests/test_store.py tests/test_store_identity.py tests/test_pool_index.py::test_prepared_text_index_is_used_only_for_its_own_text
export       | ogi/export/build.py ogi/export/tables.py ogi/export/files.py | tests/test_export.py tests/test_export_schema.py tests/test_export_units.py tests/test_export_files.py tests/test_mut_export_build.py tests/test_mut_export_tables.py
export-meta  | ogi/export/package.py ogi/export/readme.py ogi/export/citation.py | tests/test_mut_export_meta.py tests/test_export_golden_text.py tests/test_export_datasets.py::test_citation_cff_in_the_export tests/test_export_datasets.py::test_datapackage_licenses_sources_contributors tests/test_export_datasets.py::test_statistics_long_flags_per_number tests/test_export_datasets.py::test_stata_labels_dates_codes_and_panel_id tests/test_export_datasets.py::test_panel_id_is_the_same_in_every_export tests/test_export_datasets.py::test_package_cites_only_its_own_files tests/test_export_schema.py
fam-trs     | crawler/spiders/trs.py                       | tests/test_family_trs.py tests/test_mut_family_trs.py
fam-anhui   | crawler/spiders/anhui.py                     | tests/test_family_anhui.py::test_hooks_on_saved_page tests/test_family_anhui.py::test_page_count_drives_the_next_page_until_the_endpoint_says_empty tests/test_family_anhui.py::test_label_url_comes_from_the_page_with_a_city_platform_prefix tests/test_mut_family_anhui.py
fam-gkmlpt  | crawler/spiders/gkmlpt.py                    | tests/test_family_gkmlpt.py::test_hooks_on_saved_page tests/test_family_gkmlpt.py::test_page_document_keeps_the_fetched_bytes_for_other_pages tests/test_family_gkmlpt.py::test_helpers tests/test_family_gkmlpt.py::test_detect_on_catalogue_and_not_on_other_families tests/test_mut_family_gkmlpt.py
fam-kaipuyun| crawler/spiders/kaipuyun.py                  | tests/test_family_kaipuyun.py::test_hooks_on_saved_page tests/test_family_kaipuyun.py::test_interface_request_is_a_json_post tests/test_family_kaipuyun.py::test_interface_failure_answer_gives_nothing tests/test_family_kaipuyun.py::test_detect_is_not_fooled_by_other_families tests/test_mut_family_kaipuyun.py
fam-shandong| crawler/spiders/shandong.py                  | tests/test_family_shandong.py::test_hooks_on_saved_page tests/test_family_shandong.py::test_hidden_nodes_are_read_and_a_short_page_is_reported tests/test_family_shandong.py::test_document_block_has_the_verified_fields tests/test_family_shandong.py::test_site_registered_without_platform_is_detected_as_shandong tests/test_mut_family_shandong.py
fam-generic | crawler/spiders/generic.py                   | tests/test_family_generic.py::test_hooks_on_saved_page tests/test_family_generic.py::test_pager_base_ignores_only_the_page_number tests/test_mut_family_generic.py
fam-base    | crawler/spiders/base.py crawler/spiders/annual_module.py | tests/test_mut_family_base.py tests/test_spider_links_cache.py tests/test_family_hanweb.py tests/test_family_hanweb_annual.py::test_hooks_on_saved_page tests/test_family_hanweb_annual.py::test_module_urls_need_a_unit_and_a_year tests/test_family_hanweb_annual.py::test_table_links_are_titled_by_their_row tests/test_family_trs.py tests/test_family_anhui.py::test_hooks_on_saved_page tests/test_family_anhui.py::test_page_count_drives_the_next_page_until_the_endpoint_says_empty tests/test_family_anhui.py::test_label_url_comes_from_the_page_with_a_city_platform_prefix tests/test_family_gkmlpt.py::test_hooks_on_saved_page tests/test_family_gkmlpt.py::test_page_document_keeps_the_fetched_bytes_for_other_pages tests/test_family_gkmlpt.py::test_helpers tests/test_family_gkmlpt.py::test_detect_on_catalogue_and_not_on_other_families tests/test_family_kaipuyun.py::test_hooks_on_saved_page tests/test_family_kaipuyun.py::test_interface_request_is_a_json_post tests/test_family_kaipuyun.py::test_interface_failure_answer_gives_nothing tests/test_family_kaipuyun.py::test_detect_is_not_fooled_by_other_families tests/test_family_shandong.py::test_hooks_on_saved_page tests/test_family_shandong.py::test_hidden_nodes_are_read_and_a_short_page_is_reported tests/test_family_shandong.py::test_document_block_has_the_verified_fields tests/test_family_shandong.py::test_site_registered_without_platform_is_detected_as_shandong tests/test_family_generic.py::test_hooks_on_saved_page tests/test_family_generic.py::test_pager_base_ignores_only_the_page_number tests/test_mut_family_trs.py tests/test_mut_family_anhui.py tests/test_mut_family_gkmlpt.py tests/test_mut_family_kaipuyun.py tests/test_mut_family_shandong.py tests/test_mut_family_generic.py
fam-portal  | crawler/spiders/portal.py                    | tests/test_mut_family_portal.py tests/test_hostile.py::test_a_report_whose_attachment_never_answers_is_reported_not_lost_in_silence tests/test_registry_filters.py::test_scrapy_crawl_takes_the_same_filters tests/test_cli_crawl_settings.py::test_spider_refuses_unknown_site_ids
"

groups_all() { echo "$GROUPS_TABLE" | awk -F'|' 'NF == 3 {gsub(/ /, "", $1); print $1}'; }
field() { echo "$GROUPS_TABLE" | awk -F'|' -v g="$1" -v n="$2" 'NF == 3 {k=$1; gsub(/ /, "", k); if (k == g) print $n}'; }

if [[ "${1:-}" == "--list" ]]; then
    echo "$GROUPS_TABLE" | sed '/^$/d'
    exit 0
fi
groups=("$@")
[[ ${#groups[@]} -gt 0 ]] || mapfile -t groups < <(groups_all)
[[ -x "$venv/mutmut" ]] || { echo "mutmut is not installed: $venv/pip install -r requirements.txt" >&2; exit 2; }

for group in "${groups[@]}"; do
    files=$(field "$group" 2); tests=$(field "$group" 3)
    [[ -n "$files" ]] || { echo "unknown group: $group (scripts/mutation.sh --list)" >&2; exit 2; }
    dst=$work/$group
    rm -rf "$dst"; mkdir -p "$dst"
    # The work tree as it is (tracked and new files, not ignored ones), without .git, .venv or data.
    (cd "$root" && { git ls-files; git ls-files --others --exclude-standard; } | sort -u \
        | while IFS= read -r f; do [[ -e "$f" ]] && printf '%s\0' "$f"; done | xargs -0 cp --parents -t "$dst")
    # This group's files and tests into the copy's [tool.mutmut] (the shared settings are in pyproject.toml).
    "$venv/python" - "$dst/pyproject.toml" "$files" "$tests" <<'PY'
import json, sys
path, files, tests = sys.argv[1], sys.argv[2].split(), sys.argv[3].split()
text = open(path, encoding="utf-8").read()
head = "[tool.mutmut]\n"
assert head in text, "pyproject.toml has no [tool.mutmut] section"
extra = f"only_mutate = {json.dumps(files)}\npytest_add_cli_args_test_selection = {json.dumps(tests)}\n"
open(path, "w", encoding="utf-8").write(text.replace(head, head + extra, 1))
PY
    echo "== $group: mutating $files; tests: $tests"
    start=$(date +%s)
    (cd "$dst" && nice -n 19 "$venv/mutmut" run --max-children "${OGI_MUTATION_JOBS:-2}" > mutmut.log 2>&1) || {
        echo "mutmut failed for $group: see $dst/mutmut.log" >&2; tail -20 "$dst/mutmut.log" >&2; continue; }
    (cd "$dst" && "$venv/mutmut" results --all true > results.txt 2>/dev/null)
    "$venv/python" - "$dst/results.txt" "$root/scripts/mutation-equivalent.txt" "$group" "$(( $(date +%s) - start ))" <<'PY'
import collections, re, sys
results, equivalent_file, group, seconds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
equivalent = set()
for line in open(equivalent_file, encoding="utf-8"):
    line = line.split("#", 1)[0].strip()
    if line:
        equivalent.add(line)
per = collections.defaultdict(collections.Counter)
survivors = []
for line in open(results, encoding="utf-8"):
    m = re.match(r"\s*(\S+): (.+)$", line)
    if not m:
        continue
    name, status = m.groups()
    module = re.sub(r"\.(x_|xǁ).*", "", name)
    if status in ("killed", "timeout", "caught by type check"):
        per[module]["killed"] += 1
    elif status == "skipped":
        per[module]["skipped"] += 1
    elif name in equivalent:
        per[module]["equivalent"] += 1
    elif status == "no tests":  # no test of the group even calls the mutated function
        per[module]["uncovered"] += 1
        survivors.append(f"{name}: {status}")
    else:
        per[module]["survived"] += 1
        survivors.append(f"{name}: {status}")
print(f"-- {group}: {seconds} s")
print(f"{'module':32} {'mutants':>8} {'killed':>7} {'equiv.':>7} {'survived':>9} {'no test':>8} {'kill rate':>10}"
      f" {'excl. equiv.':>13}")
for module, c in sorted(per.items()):
    total = c["killed"] + c["equivalent"] + c["survived"] + c["uncovered"]
    rate = c["killed"] / total if total else 1.0
    rate_eq = c["killed"] / (total - c["equivalent"]) if total - c["equivalent"] else 1.0
    print(f"{module:32} {total:8} {c['killed']:7} {c['equivalent']:7} {c['survived']:9} {c['uncovered']:8} {rate:10.1%}"
          f" {rate_eq:13.1%}")
with open(results.replace("results.txt", "survivors.txt"), "w", encoding="utf-8") as f:
    f.write("\n".join(survivors) + "\n")
print(f"survivors not accepted as equivalent: {len(survivors)} (list: {results.replace('results.txt', 'survivors.txt')})")
PY
done
