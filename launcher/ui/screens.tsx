// What the person sees: the rows the layout made from the UI state, drawn by Ink, one per row.
import { Box, Text } from 'ink';
import { frame } from './layout.ts';
import type { UiState } from './state.ts';
import type { Look } from './text.ts';

export type { Look } from './text.ts';

export function Screen({ s, l }: { s: UiState; l: Look }) {
  return (
    <Box flexDirection="column" width={l.width}>
      {frame(s, l).map((row, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: a row is its place on the screen
        <Text key={i} wrap="truncate">
          {row.some((span) => span.text)
            ? row.map((span, j) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: a span is its place in the row
                <Text key={j} color={l.color ? span.color : undefined} bold={!l.plain && span.bold} inverse={!l.plain && span.inverse}>
                  {span.text}
                </Text>
              ))
            : ' '}
        </Text>
      ))}
    </Box>
  );
}
