// Reads the cases of a condition through Bulk API 2.0 and hands them out exactly as the REST
// query adapter.BuildQuery(condition) would, so the backfill can switch to it above a size
// threshold and process the pages unchanged (adapter.Convert() per record).
//
// Bulk API 2.0 runs no parent-to-child subqueries, so one read is 1 + N query jobs
// (adapter.BulkQueries()): the flat Case rows (dotted parent fields such as `Owner.Name`
// included), then one job per child relationship of signals.json `related`, each selecting the
// relationship's rows through a semi-join on the same Case condition (`ParentId IN (SELECT Id FROM
// Case WHERE …)`). The Case job runs first, so a case created while the child jobs run is not
// handed out without its children; a child row of a case the Case job did not return is
// dropped. When the Case job returns no case, the child jobs are skipped. The condition should
// not change its answer during the read (a CreatedDate range, as the backfill uses, does not).
//
// Each case becomes one JSON record in the REST shape:
//   * `attributes` {"type"} on the case and on each child record (no `url`);
//   * a dotted column becomes nested objects (`Owner.Name` -> {"Owner":{"Name":…}}); a parent
//     whose columns are all empty becomes null, as REST renders an empty lookup;
//   * an empty CSV cell is null (Bulk CSV has no other null marker);
//   * the columns adapter.BulkQueries() types are converted back to the REST JSON types
//     (date-times to the `…000+0000` form, booleans, numbers); other columns are strings;
//   * each child relationship is `{"totalSize":n,"done":true,"records":[…]}` in the order the
//     job returned the rows, or null when the case has none; a link column the REST subquery
//     does not select (e.g. EmailMessage.ParentId) is left out of the child records;
//   * cases are ordered like the REST query: by the modstamp field, then Id (sorted here: an
//     ORDER BY would disable Bulk API 2.0's chunking).
//
// Memory: every row of one read is held until the last page is handed out (the rows of all
// 1 + N jobs, plus one page of rendered records). Call it for bounded slices, e.g. one backfill
// chunk (a week of cases), not for a whole org.
//
// Thread-safety: the function keeps no state; concurrent calls are safe when `on_page` is.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "connector/adapters/salesforce/case_adapter.h"
#include "connector/common/status.h"
#include "connector/salesforce/client.h"

namespace casebridge::adapters {

/// Reads the cases matching `condition` (already-escaped SOQL, "" = all; signals.json
/// `case.where` is ANDed in, as BuildQuery() does) through Bulk API 2.0 jobs and calls `on_page`
/// with QueryPage objects of at most `records_per_page` records: page_number from 1, total_size
/// the number of cases, done on the last page (one empty, done page when no case matches, as the
/// REST query does). `on_page` is only called once every job has succeeded.
/// Errors: kInvalidArgument for records_per_page == 0 or a `related` relationship
/// adapter.BulkQueries() cannot map to an object; the client's BulkQuery() errors for a job
/// that cannot be created, fails (kFailedPrecondition), is aborted or times out; kInternal for
/// results lacking a column the read needs or with rows of the wrong width; `on_page`'s error
/// (which stops the paging).
Status ReadCasesInBulk(salesforce::Client const& client, SalesforceCaseAdapter const& adapter,
                       std::string const& condition, std::size_t records_per_page,
                       salesforce::PageCallback const& on_page);

namespace bulk_case_reader_internal {

/// The CSV results of one job (all its pages).
struct BulkRows {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};

/// The record-building half of ReadCasesInBulk(), without the jobs: `cases` holds the rows of
/// `queries.cases`, `children[i]` those of `queries.children[i]`.
Status AssembleCasePages(BulkCaseQueries const& queries, BulkRows const& cases,
                         std::vector<BulkRows> const& children, std::size_t records_per_page,
                         salesforce::PageCallback const& on_page);

}  // namespace bulk_case_reader_internal

}  // namespace casebridge::adapters
