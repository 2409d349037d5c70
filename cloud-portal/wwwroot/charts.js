// The portal's SVG charts (Components/Charts/ResponsiveChart.cs): report the width of a chart's container, so that the
// chart draws at one SVG unit per CSS pixel, and move the keyboard focus between a chart's buckets with the arrow keys
// (one bucket is in the tab order; its tooltip shows while it has the focus).
const charts = new WeakMap();

export function observe(box, component) {
    let last = 0;
    let timer = 0;
    const report = () => {
        const width = Math.floor(box.getBoundingClientRect().width);
        if (width > 0 && width !== last) {
            last = width;
            component.invokeMethodAsync('Resize', width).catch(() => { });
        }
    };
    const observer = new ResizeObserver(() => {
        clearTimeout(timer);
        timer = setTimeout(report, 50);
    });
    const keys = event => {
        const current = event.target.closest ? event.target.closest('.bucket') : null;
        if (!current) {
            return;
        }
        const all = [...box.querySelectorAll('.bucket')];
        const i = all.indexOf(current);
        const next = { ArrowLeft: i - 1, ArrowRight: i + 1, Home: 0, End: all.length - 1 }[event.key];
        if (next === undefined) {
            return;
        }
        event.preventDefault();
        const target = all[Math.max(0, Math.min(all.length - 1, next))];
        all.forEach(b => b.setAttribute('tabindex', '-1'));
        target.setAttribute('tabindex', '0');
        target.focus();
    };
    box.addEventListener('keydown', keys);
    observer.observe(box);
    charts.set(box, () => { observer.disconnect(); box.removeEventListener('keydown', keys); clearTimeout(timer); });
    report();
}

export function unobserve(box) {
    const stop = charts.get(box);
    if (stop) {
        stop();
        charts.delete(box);
    }
}
