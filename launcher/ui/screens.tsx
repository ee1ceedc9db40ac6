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
        <Text key={i} wrap="truncate">
          {row.some((span) => span.text)
            ? row.map((span, j) => (
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
