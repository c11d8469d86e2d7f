/** Grey shapes where content is on its way. */
export function SkeletonLine({ width }: { width: string }) {
  return <span className="skeleton skeleton-line" style={{ width }} />;
}

export function MessageSkeletons({ count = 6 }: { count?: number }) {
  const widths = ['62%', '40%', '78%', '30%', '55%', '70%', '45%'];
  return (
    <div className="message-skeletons" aria-hidden="true">
      {Array.from({ length: count }, (_, i) => (
        <div className="message-skeleton" key={i}>
          <span className="skeleton skeleton-avatar" />
          <div className="message-skeleton-body">
            <SkeletonLine width="18%" />
            <SkeletonLine width={widths[i % widths.length]!} />
          </div>
        </div>
      ))}
    </div>
  );
}

export function ShellSkeleton() {
  return (
    <div className="shell shell-skeleton" aria-busy="true">
      <div className="sidebar">
        <div className="sidebar-skeleton">
          {['60%', '45%', '70%', '50%', '65%'].map((w, i) => (
            <SkeletonLine key={i} width={w} />
          ))}
        </div>
      </div>
      <div className="main">
        <MessageSkeletons />
      </div>
    </div>
  );
}
