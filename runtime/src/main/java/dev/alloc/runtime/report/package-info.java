/**
 * What the runtime says to people: the {@code alloc:} log lines ({@code Log}), human sizes
 * ({@code Sizes}), the site table of reports and commands ({@code SiteTable},
 * {@code SiteColumn}) and the safe writing of report files ({@code SafeFiles}). Nothing here is
 * on an allocation's path; everything here may allocate.
 */
package dev.alloc.runtime.report;
